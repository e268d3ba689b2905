package eventlog

import (
	"strings"

	"exlog/event"
)

// levelWords maps the Level column of Event Viewer text and CSV exports,
// lower-cased, to a type. Besides English it knows the German, French and
// Spanish words, and the Security-log audit keywords that older exports
// put in the Level column.
var levelWords = map[string]event.Type{
	"critical": event.Critical, "error": event.Error, "warning": event.Warning,
	"information": event.Information, "informational": event.Information, "info": event.Information,
	"verbose": event.Verbose,
	// German
	"kritisch": event.Critical, "fehler": event.Error, "warnung": event.Warning,
	"informationen": event.Information, "ausführlich": event.Verbose,
	// French
	"critique": event.Critical, "erreur": event.Error, "avertissement": event.Warning,
	"commentaires": event.Verbose, "détaillé": event.Verbose,
	// Japanese
	"重大": event.Critical, "エラー": event.Error, "警告": event.Warning, "情報": event.Information, "詳細": event.Verbose,
	// Spanish
	"crítico": event.Critical, "advertencia": event.Warning, "información": event.Information,
	"detallado": event.Verbose,
	// Get-EventLog EntryType (enum names, never localized)
	"successaudit": event.Information, "failureaudit": event.Error,
	// Security log
	"audit success": event.Information, "audit failure": event.Error,
	"überwachung erfolgreich": event.Information, "überwachungsfehler": event.Error,
	"succès de l'audit": event.Information, "échec de l'audit": event.Error,
}

// typeFromLevelWord maps a Level word to a type. An empty word is
// Information (Windows renders level 0 as Information); ok is false for an
// unknown word, in which case the type is Information too.
func typeFromLevelWord(s string) (t event.Type, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return event.Information, true
	}
	if t, ok := levelWords[s]; ok {
		return t, true
	}
	return event.Information, false
}

// typeFromLevel maps a Level column that may hold the numeric level
// (Get-WinEvent: 0 LogAlways, 1 Critical, 2 Error, 3 Warning,
// 4 Information, 5 Verbose) or a level word.
func typeFromLevel(s string) (event.Type, bool) {
	switch strings.TrimSpace(s) {
	case "0", "4":
		return event.Information, true
	case "1":
		return event.Critical, true
	case "2":
		return event.Error, true
	case "3":
		return event.Warning, true
	case "5":
		return event.Verbose, true
	}
	return typeFromLevelWord(s)
}
