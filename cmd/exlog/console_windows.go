//go:build windows

package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var procGetConsoleProcessList = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleProcessList")

// ownConsole reports whether exlog runs in a console window that was made
// for it alone (started by Explorer, e.g. a file dropped on exlog.exe):
// then the window closes at exit, and the user must get a chance to read it.
// GetConsoleProcessList counts the processes attached to the console; from
// cmd.exe or PowerShell it is at least two.
func ownConsole() bool {
	if procGetConsoleProcessList.Find() != nil {
		return false
	}
	var pids [2]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	return n == 1
}
