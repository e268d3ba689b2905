package eventlog

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"exlog/event"
)

// textKey is a header line of an Event Viewer "copy details" block.
type textKey uint8

const (
	keyNone textKey = iota
	keyLogName
	keySource
	keyDate
	keyEventID
	keyTask
	keyLevel
	keyOpcode
	keyKeywords
	keyUser
	keyComputer
	keyDescription
	keyEventXML
)

// textKeys maps normalised header labels (see normKey) to keys: English,
// German, French and Japanese Event Viewer wording. The Japanese labels are
// those of "Copy details as text" on a ja-JP Windows as published in
// Japanese support blogs and Microsoft Japan's Azure support articles
// ("ログの名前: Application / ソース: VSS / 日付: yyyy/mm/dd HH:mm:ss /
// イベント ID: 8229 / タスクのカテゴリ: なし / レベル: 警告 / キーワード: クラシック
// / ユーザー: N/A / コンピューター: … / 説明:").
var textKeys = map[string]textKey{
	"ログの名前": keyLogName, "ソース": keySource, "日付": keyDate, "イベント id": keyEventID, "イベントid": keyEventID,
	"タスクのカテゴリ": keyTask, "レベル": keyLevel, "オペコード": keyOpcode, "キーワード": keyKeywords,
	"ユーザー": keyUser, "コンピューター": keyComputer, "説明": keyDescription, "イベント xml": keyEventXML,
	"log name": keyLogName, "protokollname": keyLogName, "nom du journal": keyLogName,
	"source": keySource, "quelle": keySource,
	"date": keyDate, "datum": keyDate,
	"event id": keyEventID, "ereignis-id": keyEventID, "id de l'événement": keyEventID, "id de l'evenement": keyEventID, "id de l'évènement": keyEventID,
	"task category": keyTask, "aufgabenkategorie": keyTask, "catégorie de la tâche": keyTask, "catégorie de tâche": keyTask,
	"level": keyLevel, "ebene": keyLevel, "niveau": keyLevel,
	"opcode": keyOpcode, "vorgangscode": keyOpcode, "code opération": keyOpcode,
	"keywords": keyKeywords, "schlüsselwörter": keyKeywords, "mots-clés": keyKeywords, "mots clés": keyKeywords,
	"user": keyUser, "benutzer": keyUser, "utilisateur": keyUser,
	"computer": keyComputer, "ordinateur": keyComputer,
	"description": keyDescription, "beschreibung": keyDescription,
	"event xml": keyEventXML, "ereignis-xml": keyEventXML, "xml de l'événement": keyEventXML, "xml de l'evenement": keyEventXML,
}

// splitKey splits "Label:   value" when Label is a known header label.
func splitKey(line []byte) (textKey, string) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || i > 40 {
		return keyNone, ""
	}
	k := textKeys[normKey(line[:i])]
	if k == keyNone {
		return keyNone, ""
	}
	return k, strings.TrimSpace(string(line[i+1:]))
}

// normKey lower-cases a label, trims it (French puts a space before the
// colon) and folds typographic apostrophes.
func normKey(b []byte) string {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	s = strings.ReplaceAll(s, "\u2019", "'")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return s
}

// textBlock is one "Log Name:" block being collected.
type textBlock struct {
	line                                                  int // line of "Log Name:"
	logName, source, date, eventID, task, level, keywords string
	user, computer, systemTime                            string
	dateLine, eventIDLine, levelLine                      int
	mode                                                  textKey
	msg                                                   strings.Builder
	blankRun                                              int // blank message lines not yet written
	haveMsg                                               bool
	msgCut                                                bool // message reached maxMsg
	// maxMsg caps the description (event.Caps.MaxRecord) so that memory
	// stays bounded when a file lacks further "Log Name:" lines.
	maxMsg     int
	junkWarned bool // an unrecognised header line was reported
}

type textReader struct {
	maxMsg  int
	lr      *lineReader
	w       warner
	dates   dateResolver
	cur     *textBlock
	eof     bool
	garbage int // first line of the current run of lines outside any block, 0 if none
}

// NewTextReader reads Event Viewer "Copy details as text" exports: blocks
// that start with "Log Name:" and hold the header lines (in any order,
// any spacing after the colon; English, German or French labels), then
// "Description:" and the message up to the next "Log Name:" or an
// "Event Xml:" section, whose TimeCreated/@SystemTime then gives the exact
// time. Origins are 1-based lines of the "Log Name:" line.
func NewTextReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	w := warner{path: path, fn: warn}
	return &textReader{lr: newLineReader(r), w: w, dates: dateResolver{w: w}, maxMsg: event.DefaultMaxRecord}
}

// SetCaps sets the longest line (MaxLine) and description (MaxRecord);
// call it before the first Next.
func (t *textReader) SetCaps(c event.Caps) { t.lr.max, t.maxMsg = c.Line(), c.Record() }

func (t *textReader) Next() (*event.Event, error) {
	for {
		if ev := t.dates.pop(); ev != nil {
			return ev, nil
		}
		if t.eof {
			t.dates.finish()
			if ev := t.dates.pop(); ev != nil {
				return ev, nil
			}
			return nil, io.EOF
		}
		line, cut, err := t.lr.next()
		if err == io.EOF {
			t.finishBlock()
			t.eof = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if cut {
			t.w.atLine(t.lr.line, event.KindLongLine, fmt.Sprintf("line longer than %d bytes cut (--max-line)", t.lr.max))
		}
		t.feed(line)
	}
}

// feed processes one line.
func (t *textReader) feed(line []byte) {
	n := t.lr.line
	k, v := splitKey(line)
	blank := len(bytes.TrimSpace(line)) == 0
	if k == keyLogName {
		t.finishBlock()
		t.cur = &textBlock{line: n, logName: v, mode: keyLogName, maxMsg: t.maxMsg}
		t.garbage = 0
		return
	}
	b := t.cur
	if b == nil {
		if !blank && t.garbage == 0 {
			t.garbage = n
			t.w.atLine(n, event.KindGarbage, fmt.Sprintf("text outside any \"Log Name:\" block ignored: %q", clip(string(line), 80)))
		}
		return
	}
	switch b.mode {
	case keyDescription:
		if k == keyEventXML {
			b.mode = keyEventXML
			return
		}
		b.addMsg(line, blank)
	case keyEventXML:
		if b.systemTime == "" {
			b.systemTime = findSystemTime(line)
		}
	default:
		switch k {
		case keyNone:
			if !blank && !b.junkWarned {
				b.junkWarned = true
				t.w.atLine(n, event.KindGarbage, fmt.Sprintf("unrecognised line in event header ignored (further ones in this block too): %q", clip(string(line), 80)))
			}
			return
		case keySource:
			b.source = v
		case keyDate:
			b.date, b.dateLine = v, n
		case keyEventID:
			b.eventID, b.eventIDLine = v, n
		case keyTask:
			b.task = v
		case keyLevel:
			b.level, b.levelLine = v, n
		case keyKeywords:
			b.keywords = v
		case keyUser:
			b.user = v
		case keyComputer:
			b.computer = v
		case keyDescription:
			b.mode = keyDescription
			if v != "" {
				b.addMsg([]byte(v), false)
			}
		case keyEventXML:
			b.mode = keyEventXML
		}
	}
}

// addMsg appends a message line, holding back blank lines so that trailing
// blank lines are dropped.
func (b *textBlock) addMsg(line []byte, blank bool) {
	if blank {
		if b.haveMsg {
			b.blankRun++
		}
		return
	}
	if b.msg.Len()+b.blankRun+len(line) >= b.maxMsg {
		b.msgCut = true
		return
	}
	if b.haveMsg {
		b.msg.WriteByte('\n')
	}
	for ; b.blankRun > 0; b.blankRun-- {
		b.msg.WriteByte('\n')
	}
	b.msg.Write(line)
	b.haveMsg = true
}

// findSystemTime returns the SystemTime attribute value on a line of the
// Event Xml section, or "".
func findSystemTime(line []byte) string {
	i := bytes.Index(line, []byte("SystemTime="))
	if i < 0 {
		return ""
	}
	rest := line[i+len("SystemTime="):]
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	j := bytes.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return ""
	}
	return string(rest[1 : 1+j])
}

// finishBlock turns the current block into an event (or a warning).
func (t *textReader) finishBlock() {
	b := t.cur
	t.cur = nil
	if b == nil {
		return
	}
	if b.msgCut {
		t.w.atLine(b.line, event.KindLongRecord, fmt.Sprintf("description longer than %d bytes cut (--max-record)", b.maxMsg))
	}
	if b.eventID == "" && b.date == "" {
		t.w.atLine(b.line, event.KindMalformedRecord, "event block without \"Date:\" and \"Event ID:\" lines dropped")
		return
	}
	ev := &event.Event{
		Format:  event.FormatEventlogText,
		Source:  b.source,
		Host:    b.computer,
		Message: strings.TrimRight(b.msg.String(), " \t"),
		Origin:  event.Origin{Path: t.w.path, Line: b.line, Offset: -1},
	}
	ev.Fields = appendField(ev.Fields, event.FieldLogName, b.logName)
	ev.Fields = appendField(ev.Fields, event.FieldProvider, b.source)
	ev.Fields = appendField(ev.Fields, event.FieldTaskCategory, b.task)
	ev.Fields = appendField(ev.Fields, FieldKeywords, b.keywords)
	ev.Fields = appendField(ev.Fields, FieldUser, b.user)
	if id, ok := parseEventID(b.eventID); ok {
		ev.EventID = id
	} else {
		t.w.atLine(lineOr(b.eventIDLine, b.line), event.KindBadField, fmt.Sprintf("bad or missing Event ID %q; event kept with id 0", b.eventID))
	}
	typ, ok := typeFromLevelWord(b.level)
	if !ok {
		t.w.atLine(lineOr(b.levelLine, b.line), event.KindBadField, fmt.Sprintf("unknown level %q; event typed as information", b.level))
	}
	ev.Type = typ
	if b.mode == keyLogName || b.mode == keyNone {
		t.w.atLine(b.line, event.KindBadField, "event block without a \"Description:\" line; message empty")
	}
	if b.systemTime != "" {
		if d, err := parseISODate(b.systemTime); err == nil && d.kind == dateZoned {
			ev.Time = d.exact.UTC()
			_, off := d.exact.Zone()
			ev.TZOffset = int32(off)
			t.dates.pushExact(ev)
			return
		}
		t.w.atLine(b.line, event.KindBadTime, fmt.Sprintf("cannot read Event Xml SystemTime %q; using the Date line", b.systemTime))
	}
	if b.date == "" {
		t.w.atLine(b.line, event.KindBadTime, "event block without a \"Date:\" line; event kept without a time")
		t.dates.pushExact(ev)
		return
	}
	t.dates.add(ev, b.date, lineOr(b.dateLine, b.line))
}

// parseEventID reads an event id; old exports may show the full 32-bit id.
func parseEventID(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

func appendField(f []event.Field, name, value string) []event.Field {
	if value == "" {
		return f
	}
	return append(f, event.Field{Name: name, Value: value})
}

func lineOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// clip shortens s to at most n bytes on a rune boundary for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
