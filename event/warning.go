package event

// WarningKind is the short stable key of a ReadWarning, the "kind" of a
// warning in the JSON report. Every kind is declared here, once, with what
// it means; a reader cannot make one up (a string does not convert to a
// WarningKind), so a new kind is one line in the table below.
type WarningKind uint8

// The warning kinds. The name in the comment is the String() value, the
// spelling in reports; names are kebab-case and never change.
const (
	// KindInvalid is the zero value: a warning without a kind (a bug).
	KindInvalid WarningKind = iota

	// Records lost or cut (Broken reports true).

	// KindTruncated "truncated-record": a record cut by the start or end of
	// the file or by the start of the next record (a wrap point).
	KindTruncated
	// KindOversize "oversize-record": a record larger than --max-record
	// was skipped.
	KindOversize
	// KindBadRecord "bad-record": a complete record without a usable time
	// or type was skipped.
	KindBadRecord
	// KindGarbage "garbage": bytes or lines that are not a record (between
	// records, outside an event block, a bad signature, malformed XML);
	// skipped, or the rest of the file is not read.
	KindGarbage

	// Records skipped (Broken reports true too: records lost, at least one
	// per warning) and records damaged but kept (not counted).

	// KindBrokenRecord "broken-record": an .evtx record whose header or
	// content cannot be read; skipped to the next record.
	KindBrokenRecord
	// KindDamagedRecord "damaged-record": an .evtx record with a damaged
	// frame whose content is complete and kept.
	KindDamagedRecord
	// KindMalformedRecord "malformed-record": an event (XML, text block,
	// CSV row) that cannot be read as one; dropped.
	KindMalformedRecord
	// KindMalformedRow "malformed-row": a cmdlet CSV row the CSV parser
	// rejects; skipped.
	KindMalformedRow
	// KindFieldCount "field-count": a cmdlet CSV row with more or fewer
	// fields than the header.
	KindFieldCount
	// KindNotAnObject "not-an-object": a top-level CliXML element that is
	// not an object; skipped.
	KindNotAnObject
	// KindTooDeep "too-deep": a CliXML object nested deeper than the cap;
	// skipped.
	KindTooDeep
	// KindBadChecksum "bad-checksum": an .evtx header or chunk whose
	// checksum or bounds do not hold; read record by record.
	KindBadChecksum

	// Values cut or over a cap (the record is kept).

	// KindLongValue "long-value": a value (XML text or attribute) longer
	// than the cap, cut. Was "value-too-long" in CliXML.
	KindLongValue
	// KindLongLine "long-line": a line longer than --max-line, cut. Was
	// "line-too-long" in Format-List exports.
	KindLongLine
	// KindLongRecord "long-record": an event description longer than
	// --max-record, cut.
	KindLongRecord
	// KindRecordTooLong "record-too-long": a cmdlet CSV record longer than
	// --max-record (an unbalanced quote?); the rest of the file is not read.
	KindRecordTooLong
	// KindObjectTooLarge "object-too-large": a cmdlet object over its cap
	// (bytes, members, items); cut.
	KindObjectTooLarge

	// Fields and values of a kept record.

	// KindBadField "bad-field": a field of a kept record that cannot be
	// parsed (an event id, a level, a zone line); left zero or defaulted.
	// Was "bad-value" in trace logs.
	KindBadField
	// KindBadTime "bad-time": an event time that cannot be read; the event
	// is kept without a time (or with another of its times).
	KindBadTime
	// KindNoZone "no-timezone": trace times without a zone designator,
	// read as UTC (once per file).
	KindNoZone
	// KindAmbiguousDate "ambiguous-date": dates whose month/day order the
	// file does not decide, or that contradict the order assumed.
	KindAmbiguousDate
	// KindBadReference "bad-reference": a CliXML reference (<TNRef>,
	// <Ref>) that names nothing read before.
	KindBadReference

	// Layout of a file.

	// KindBadHeader "bad-header": a cmdlet CSV header with an empty or a
	// repeated column name.
	KindBadHeader
	// KindNoHeader "no-header": an event-log CSV without a header row;
	// columns taken by position.
	KindNoHeader
	// KindLocalizedHeader "localized-header": an event-log CSV header
	// exlog does not know; columns taken by position.
	KindLocalizedHeader
	// KindUnexpectedNamespace "unexpected-namespace": a CliXML root with
	// another namespace; read anyway.
	KindUnexpectedNamespace
	// KindDTDIgnored "dtd-ignored": a document type declaration; its
	// entities are not expanded and nothing is fetched.
	KindDTDIgnored
	// KindOrphanContinuation "orphan-continuation": an indented line of a
	// Format-List export without a property before it.
	KindOrphanContinuation

	// Settings of a configuration file.

	// KindBadSetting "bad-setting": a setting whose value cannot be read.
	KindBadSetting
	// KindMissingSetting "missing-setting": a setting the file should have
	// and has not.
	KindMissingSetting

	// Messages PowerShell wrote into an export.

	// KindPowerShellError "powershell-error": an error record written into
	// a cmdlet export instead of an object.
	KindPowerShellError
	// KindPowerShellMessage "powershell-message": a warning or verbose
	// stream line written into a cmdlet export.
	KindPowerShellMessage

	// Reading the bytes.

	// KindUTF16Resync "utf16-resync": UTF-16 text out of step (an odd byte
	// inserted or lost); reading resumed at the next aligned code unit.
	KindUTF16Resync
	// KindOddLength "odd-length": a UTF-16 file of an odd number of bytes:
	// a byte is missing or extra somewhere.
	KindOddLength
	// KindReadError "read-error": an I/O or archive error ended the read of
	// an input; what was read before is kept.
	KindReadError

	// Records repaired.

	// KindJoinedRecord "joined-record": a record cut in two by a log
	// rotation (its start ends one file, its rest starts the next) was
	// joined and read as one record; nothing was lost.
	KindJoinedRecord

	numWarningKinds // keep last
)

var warningKindNames = [numWarningKinds]string{
	KindInvalid:             "",
	KindTruncated:           "truncated-record",
	KindOversize:            "oversize-record",
	KindBadRecord:           "bad-record",
	KindGarbage:             "garbage",
	KindBrokenRecord:        "broken-record",
	KindDamagedRecord:       "damaged-record",
	KindMalformedRecord:     "malformed-record",
	KindMalformedRow:        "malformed-row",
	KindFieldCount:          "field-count",
	KindNotAnObject:         "not-an-object",
	KindTooDeep:             "too-deep",
	KindBadChecksum:         "bad-checksum",
	KindLongValue:           "long-value",
	KindLongLine:            "long-line",
	KindLongRecord:          "long-record",
	KindRecordTooLong:       "record-too-long",
	KindObjectTooLarge:      "object-too-large",
	KindBadField:            "bad-field",
	KindBadTime:             "bad-time",
	KindNoZone:              "no-timezone",
	KindAmbiguousDate:       "ambiguous-date",
	KindBadReference:        "bad-reference",
	KindBadHeader:           "bad-header",
	KindNoHeader:            "no-header",
	KindLocalizedHeader:     "localized-header",
	KindUnexpectedNamespace: "unexpected-namespace",
	KindDTDIgnored:          "dtd-ignored",
	KindOrphanContinuation:  "orphan-continuation",
	KindBadSetting:          "bad-setting",
	KindMissingSetting:      "missing-setting",
	KindPowerShellError:     "powershell-error",
	KindPowerShellMessage:   "powershell-message",
	KindUTF16Resync:         "utf16-resync",
	KindOddLength:           "odd-length",
	KindReadError:           "read-error",
	KindJoinedRecord:        "joined-record",
}

// String returns the kind's name in reports ("truncated-record"), or ""
// for KindInvalid and values out of range.
func (k WarningKind) String() string {
	if int(k) < len(warningKindNames) {
		return warningKindNames[k]
	}
	return ""
}

// MarshalText writes the name, so that a WarningKind in JSON is its name.
func (k WarningKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Broken reports whether a warning of this kind stands for a record lost
// or cut, counted in the report's Input.Broken: a truncated, oversize or
// unusable record, garbage where records should be, or a record (an
// .evtx record, an event, a cmdlet row or object) skipped or dropped. A
// warning that skips more than one record (the rest of an .evtx chunk, the
// rest of a CSV file) counts one: Broken is a lower bound, and such a read
// is also marked partial or says what it skipped.
func (k WarningKind) Broken() bool {
	switch k {
	case KindTruncated, KindOversize, KindBadRecord, KindGarbage,
		KindBrokenRecord, KindMalformedRecord, KindMalformedRow,
		KindNotAnObject, KindTooDeep, KindRecordTooLong:
		return true
	}
	return false
}

// WarningKinds returns every declared kind but KindInvalid, in order.
func WarningKinds() []WarningKind {
	out := make([]WarningKind, 0, numWarningKinds-1)
	for k := KindInvalid + 1; k < numWarningKinds; k++ {
		out = append(out, k)
	}
	return out
}
