package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"exlog/internal/termsafe"
	"exlog/output"
	"exlog/report"
)

// dropCmd is what runs when exlog is started with only paths, as Windows
// does when a bundle is dropped on exlog.exe: analyze, print the short
// verdict, write <bundle>.exlog.html and open it in the default browser.
type dropCmd struct {
	Paths     []string `arg:"" name:"PATH" help:"Bundle zip, folder or file." type:"path"`
	NoBrowser bool     `name:"no-browser" help:"Write the HTML report but do not open it."`
	limitFlags
}

func (c *dropCmd) Run(g *globals) error {
	defer pauseIfNoConsole(g)
	opt, err := analysisOptions(analysisFlags{}, windowFlags{}, c.limitFlags)
	if err != nil {
		return err
	}
	stop := attachProgress(&opt, g, false)
	rep, err := runAnalysis(c.Paths, g, opt)
	stop()
	if err != nil {
		return err
	}
	printVerdict(g.Stdout, rep, colorOK(g.Stdout, ""))
	var html bytes.Buffer
	if err := output.HTML(&html, rep, output.Options{Title: filepath.Base(c.Paths[0])}); err != nil {
		return err
	}
	where, err := writeBeside(c.Paths[0], html.Bytes())
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "\nFull report: %s\n", where)
	if c.NoBrowser || !canOpenBrowser() {
		return nil
	}
	if err := openInBrowser(where); err != nil {
		fmt.Fprintf(g.Stderr, "exlog: could not open a browser (%v); open the file above yourself\n", err)
	}
	return nil
}

// reportPath is where the HTML report of input goes: beside it, named
// after it ("bundle.zip" → "bundle.zip.exlog.html", folder "logs" →
// "logs.exlog.html").
func reportPath(input string) string {
	return filepath.Clean(input) + ".exlog.html"
}

// writeBeside writes the report beside the input, or into the temp
// folder when that place cannot be written (a read-only share, a CD).
// It returns the path written.
func writeBeside(input string, data []byte) (string, error) {
	p := reportPath(input)
	err := os.WriteFile(p, data, 0o644)
	if err == nil {
		return p, nil
	}
	alt := filepath.Join(os.TempDir(), filepath.Base(p))
	if err2 := os.WriteFile(alt, data, 0o644); err2 != nil {
		return "", fmt.Errorf("cannot write the report: %v; nor %v", err, err2)
	}
	return alt, nil
}

// canOpenBrowser: not in CI, and on Linux/BSD only with a display.
func canOpenBrowser() bool {
	if v := os.Getenv("CI"); v != "" && v != "0" && !strings.EqualFold(v, "false") {
		return false
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// openInBrowser hands path to the desktop's default handler and does not
// wait for the browser.
func openInBrowser(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", abs)
	case "darwin":
		cmd = exec.Command("open", abs)
	default:
		cmd = exec.Command("xdg-open", abs)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap it; its exit status does not matter
	// Give the opener a moment: a console window closing at once can take
	// the opener with it on some desktops.
	time.Sleep(300 * time.Millisecond)
	return nil
}

// printVerdict prints the first screen: state, reasons, last full sync
// and next steps.
func printVerdict(out io.Writer, r *report.Report, color bool) {
	w := termsafe.NewWriter(out) // reasons and steps quote log text
	defer w.Flush()
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return w.Style(code) + s + w.Style("0")
	}
	// The verdict is analyze's (one rule); a report without one is "unknown".
	state, reasons, steps := report.StateUnknown, []string(nil), []string(nil)
	var lastFull *time.Time
	var age *float64
	if v := r.Verdict; v != nil {
		state, reasons, steps, lastFull, age = v.State, v.Reasons, v.NextSteps, v.LastFullSync, v.LastFullSyncAgeS
	}
	fmt.Fprintf(w, "%s  %s\n", paint(output.StateColor(state), strings.ToUpper(string(state))), output.Headline(state))
	for _, s := range reasons {
		fmt.Fprintf(w, "  - %s\n", s)
	}
	switch {
	case lastFull != nil && age != nil:
		fmt.Fprintf(w, "Last completed full sync: %s (%s before the end of the logs)\n",
			lastFull.UTC().Format("2006-01-02 15:04Z"), report.FormatDuration(time.Duration(*age*float64(time.Second))))
	case lastFull != nil:
		fmt.Fprintf(w, "Last completed full sync: %s\n", lastFull.UTC().Format("2006-01-02 15:04Z"))
	default:
		fmt.Fprintln(w, "Last completed full sync: none in the logs")
	}
	if len(steps) > 0 {
		fmt.Fprintln(w, "Next steps:")
		for i, s := range steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	}
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
