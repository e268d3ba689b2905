//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// supportsANSI turns on virtual-terminal processing (Windows 10+ consoles)
// and reports whether the console accepted it.
func supportsANSI(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
