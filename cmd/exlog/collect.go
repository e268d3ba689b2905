package main

import (
	"fmt"

	"exlog/collect"
)

type collectScriptCmd struct {
	Users    []string `name:"user" short:"u" placeholder:"UPN" help:"Mailbox to export (repeatable)."`
	Days     int      `default:"14" help:"Days of System and Application events to export."`
	Exchange string   `name:"exchange-server" placeholder:"FQDN" help:"Exchange server for remote PowerShell (can also be given when running the script)."`
}

func (c *collectScriptCmd) Run(g *globals) error {
	s, err := collect.Script(collect.Options{Users: c.Users, Days: c.Days, ExchangeServer: c.Exchange})
	if err != nil {
		return usageErr("%v", err)
	}
	fmt.Fprint(g.Stdout, s)
	return nil
}
