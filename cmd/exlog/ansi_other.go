//go:build !windows

package main

import "os"

func supportsANSI(*os.File) bool { return true }
