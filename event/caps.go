package event

// Caps bounds what one reader holds in memory at a time, whatever the
// input. A zero field means the default. Readers report (never silently
// drop) what a cap cut or skipped.
type Caps struct {
	// MaxRecord is the largest single record read whole, in bytes: a
	// trace record, a Format-List object, a CSV row (--max-record).
	MaxRecord int
	// MaxLine is the longest text line of a text export or event log,
	// and the longest text value or tag in XML (event-log XML, CliXML,
	// config), in bytes (--max-line).
	MaxLine int
}

// Defaults of Caps.
const (
	DefaultMaxRecord = 16 << 20
	DefaultMaxLine   = 1 << 20
)

// Record is MaxRecord or its default.
func (c Caps) Record() int {
	if c.MaxRecord <= 0 {
		return DefaultMaxRecord
	}
	return c.MaxRecord
}

// Line is MaxLine or its default.
func (c Caps) Line() int {
	if c.MaxLine <= 0 {
		return DefaultMaxLine
	}
	return c.MaxLine
}
