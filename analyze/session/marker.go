package session

// HasSyncMarker reports whether msg carries a sync marker ("(full sync)",
// "(quick sync)", "(delta sync)" in the tolerant spellings findMarker
// accepts): such a record belongs to the sync sessions the Builder
// rebuilds, so its failures are judged by the sync checks (sync.failed,
// sync.unfinished) rather than listed as unknown messages.
func HasSyncMarker(msg string) bool {
	k, _ := findMarker(msg)
	return k != kindNone
}
