package main

import (
	"time"

	"exlog/internal/synth"
)

// The writers live in exlog/internal/synth so that bench/gen can build
// large bundles with the same encoders; these names keep the sample
// builders unchanged.

type (
	TraceRecord   = synth.TraceRecord
	PayloadKind   = synth.PayloadKind
	Footer        = synth.Footer
	ExceptionInfo = synth.ExceptionInfo
	Org           = synth.Org
	User          = synth.User
	Device        = synth.Device
	PSObject      = synth.PSObject
	Prop          = synth.Prop
	Value         = synth.Value
	ValKind       = synth.ValKind
)

const (
	Critical    = synth.Critical
	Error       = synth.Error
	Warning     = synth.Warning
	Information = synth.Information
	Verbose     = synth.Verbose
	Start       = synth.Start
	Stop        = synth.Stop
	Suspend     = synth.Suspend
	Resume      = synth.Resume
	Transfer    = synth.Transfer

	PayloadText     = synth.PayloadText
	PayloadDataItem = synth.PayloadDataItem
	PayloadRawXML   = synth.PayloadRawXML
	PayloadEmpty    = synth.PayloadEmpty

	VStr    = synth.VStr
	VBool   = synth.VBool
	VInt    = synth.VInt
	VDate   = synth.VDate
	VGUID   = synth.VGUID
	VList   = synth.VList
	VNil    = synth.VNil
	VRefObj = synth.VRefObj

	zeroGUID = synth.ZeroGUID
)

var (
	zipModTime = synth.ZipModTime

	levelOf         = synth.LevelOf
	appendEscaped   = synth.AppendEscaped
	xmlText         = synth.XMLText
	traceRecordXML  = synth.TraceRecordXML
	exceptionString = synth.ExceptionString
	utf16LE         = synth.UTF16LE
	crlf            = synth.CRLF
	asciiLossy      = synth.ASCIILossy
	pngScreenshot   = synth.PNGScreenshot
	msiBlob         = synth.MSIBlob
	newGUID         = synth.NewGUID
	asciiFold       = synth.ASCIIFold
	newOrg          = synth.NewOrg
	str             = synth.Str
	boolean         = synth.Bool
	integer         = synth.Int
	date            = synth.Date
	guid            = synth.GUIDValue
	nilValue        = synth.NilValue
	list            = synth.List
	refObj          = synth.RefObj
	usDate          = synth.USDate
	formatList      = synth.FormatList
	csvQuote        = synth.CSVQuote
	exportCSV51     = synth.ExportCSV51
	exportCSV7      = synth.ExportCSV7
	exportCliXML    = synth.ExportCliXML
	tracingConfig   = synth.TracingConfig
	serviceConfig   = synth.ServiceConfig
)

// exportSession is one remote PowerShell session of the admin (see
// synth.ExportSession).
type exportSession struct {
	runspace string
	org      *Org
}

func (s *exportSession) session() *synth.ExportSession {
	return &synth.ExportSession{Runspace: s.runspace, Org: s.org}
}
func (s *exportSession) deviceStats(d *Device) PSObject     { return s.session().DeviceStats(d) }
func (s *exportSession) casMailbox(u *User, i int) PSObject { return s.session().CASMailbox(u, i) }
func (s *exportSession) mailbox(u *User, i int) PSObject    { return s.session().Mailbox(u, i) }
func (s *exportSession) orgSettings(level string, changed time.Time) PSObject {
	return s.session().OrgSettings(level, changed)
}

// File is one file of a bundle; Name uses "/" (see synth.File).
type File struct {
	Name string
	Data []byte
}

// zipBytes is synth.ZipBytes over this package's File.
func zipBytes(files []File, backslash bool) []byte {
	sf := make([]synth.File, len(files))
	for i, f := range files {
		sf[i] = synth.File(f)
	}
	return synth.ZipBytes(sf, backslash)
}
