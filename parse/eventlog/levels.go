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
	// Spanish
	"crítico": event.Critical, "advertencia": event.Warning, "información": event.Information,
	"detallado": event.Verbose,
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
