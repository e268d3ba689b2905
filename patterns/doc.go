package patterns

// Help is the reference of the pattern language, for `exlog help
// patterns` and for people writing their own pattern files.
const Help = `exlog pattern language (*.exlog files)

A file holds patterns; # starts a comment. One pattern:

  pattern network.dns {                      # id: lower-case category.name
    title    "Remote name {remote} could not be resolved"   # {capture}, {count}, {key}, {gap}
    severity error                           # info | warning | error | critical
    category network                         # optional; default: the id before the dot
    docs     "https://learn.microsoft.com/…" # optional http(s) URL
    remedy   "What to do, in one or more"    # required; several strings are joined;
             "quoted strings on {host|the connector server}."  # {name|default} as in titles
    tags     ["network", "dns"]              # optional
    match    message ~ /could not be resolved: '(?P<remote>[^']+)'/i
    key      remote                          # optional: one finding per distinct value
    escalate critical when count >= 100 within 1h   # optional, repeatable
    explains command.get-next-exception      # optional: ids whose evidence this pattern accounts for
    example  match "The remote name could not be resolved: 'manage.microsoft.com'"
    example  nomatch "Resolved manage.microsoft.com"
  }

Rules (exactly one per pattern):
  match COND                                  every matching record counts
  match COND at least 5 within 10m            only bursts count (all events of the burst)
  match A not followed by B within 2h [on activity | on FIELD]
                                              an A without a B after it (same activity or
                                              captured value); undecidable near the end of
                                              the logs (reported as a note, not a finding)
  expect COND every 26h                       absence: a stretch longer than 26h without
                                              COND inside the covered window; if the logs
                                              cover less than 26h, a note instead

Placeholders in title and remedy: {capture} or {field} from the first record of the
finding, {count}, {key}, {gap}; {name|text} shows text when the record has no value
(write example names there as examples: "{account|the service account, e.g. .\\WIEC_USER}").

Precedence (one cause, one finding): a record matched by a pattern's condition is not
counted for the patterns it explains (transitively), so the same lines never raise two
findings. The ids must exist (a --patterns directory may name library ids); no cycles;
expect rules can neither explain nor be explained.

Conditions: FIELD OP VALUE combined with and, or, not, ( ).
  message contains "text"        case-insensitive substring; contains ["a", "b"] = any
  message startswith / endswith  case-insensitive
  message ~ /regex/flags         Go RE2; flags i s m U; \/ for a slash; (?P<name>…) captures
  source == "x", != , in ["a", "b"]   case-insensitive equality
  level >= warning               verbose < information < warning < error < critical
                                 (start/stop/… records have level none, below verbose)
  type in [error, critical]      critical error warning information verbose start stop
                                 suspend resume transfer
  event_id == 7000, in [7000, 7041], <, <=, >, >=   (also pid, tid)
  format == eventlog-xml         trace cmdlet-list cmdlet-csv cmdlet-clixml eventlog-text
                                 eventlog-csv eventlog-xml config-tracing config-service evtx
                                 eventlog-timezone
Fields: message type level source event_id host format process pid tid activity,
extracted fields (exception.type, exception.message, eventlog.provider, eventlog.channel,
data.<name>, …; an absent field is ""), and captures of the pattern's regexes.

Examples (exlog patterns test; the library needs one match and one nomatch each):
  example match "message text"                 an error record from the connector
  example nomatch { type verbose message "…" event_id 7000 source "…" format eventlog-xml
                    exception.type "System.Net.WebException" }
  example match [ { at 0h message "…" } { at 30h message "…" } ] covering 40h

Durations: 500ms 90s 10m 26h 2d 1w 1h30m. Strings: "…" on one line, Go escapes.
Speed: write a literal (contains, or literal text in the regex) in every condition; the
matcher finds all literals of all patterns in one pass and evaluates only candidates.
`
