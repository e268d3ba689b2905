package main

import (
	"fmt"
	"os"

	"exlog/output"
)

// dropCmd is what runs when exlog is started with only paths, as Windows
// does when a bundle is dropped on exlog.exe.
type dropCmd struct {
	Paths []string `arg:"" name:"PATH" help:"Bundle zip, folder or file." type:"path"`
	limitFlags
}

func (c *dropCmd) Run(g *globals) error {
	defer pauseIfNoConsole(g)
	lib, err := loadLibrary(nil)
	if err != nil {
		return err
	}
	p := pipeline{}
	p.opt.Limits = c.limits()
	p.opt.Library = lib
	p.opt.Version = toolVersion()
	stop := attachProgress(&p.opt, g, false)
	rep, err := runAnalysis(c.Paths, g, p.opt)
	stop()
	if err != nil {
		return err
	}
	return output.Text(g.Stdout, rep, output.Options{Color: colorOK(g.Stdout, ""), Title: c.Paths[0]})
}

// pauseIfNoConsole keeps the window of a drag-and-drop run open until a
// key is pressed, so its message can be read.
func pauseIfNoConsole(g *globals) {
	if !ownConsole() {
		return
	}
	fmt.Fprint(g.Stderr, "\nPress Enter to close this window.")
	var b [1]byte
	_, _ = os.Stdin.Read(b[:])
}
