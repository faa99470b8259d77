"""Every cap on what one tip file may hold, and on how much of its errors is repeated back.

Tip files are edited by hand, so one file may be broken in any way at all; these caps keep
such a file from costing the bot more than a moment, or an admin more than a screenful.
"""

# What one file may hold. Past any of these the file is refused whole, with one error.
MAX_FILE_BYTES = 1_000_000  # 500 tips of the longest kind take about 400 kB
MAX_NESTING = 50  # levels of lists and mappings; a tip file needs 4 (file, tips, tip, tags)
MAX_YAML_VALUES = 100_000  # texts, lists and mappings; 500 tips take about 9,000
MAX_URL_CHARS = 500  # a source's `url`

# How much of one file's errors is kept; the rest become one "… and N more" line.
MAX_ERRORS_PER_FILE = 20
MAX_ERROR_CHARS = 300  # one error's message, after its `path:line: `
MAX_QUOTED_CHARS = 60  # a piece of the file quoted in an error: a key, an id, a tag, a url

# How much of all the errors goes into one Slack message, or one burst of log lines.
MAX_REPORTED_ERRORS = 20
MAX_REPORT_CHARS = 2_500  # the list's share of a Slack section, which holds 3,000
