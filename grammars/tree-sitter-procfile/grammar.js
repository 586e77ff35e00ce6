/**
 * Procfile grammar (Heroku / Dokku / Dash Enterprise).
 *
 * One entry per line: `<process_type>: <command>`, a comment (`#` or `//`), or a blank line.
 * The process type is kept strict (`[A-Za-z0-9_-]+`) so that anything else surfaces as an
 * ERROR node, which dash-lsp reports as DL103. Semantic checks (length, duplicates, ` #`
 * inside a command) live in the analysis layer, not here.
 */
module.exports = grammar({
  name: 'procfile',

  // Whitespace is significant at the start of a line and inside commands, so no extras.
  extras: _ => [],

  rules: {
    source_file: $ => seq(
      repeat(seq(optional($._line), $._newline)),
      optional($._line),
    ),

    _line: $ => choice($.process, $.comment, $._blank),

    process: $ => seq(
      field('type', $.process_type),
      ':',
      optional($._space),
      optional(field('command', $.command)),
    ),

    process_type: _ => /[A-Za-z0-9_-]+/,

    // Everything up to the end of the line; trailing spaces included (gunicorn ignores them).
    command: _ => /[^\s][^\r\n]*/,

    comment: _ => token(seq(optional(/[ \t]+/), choice('#', '//'), /[^\r\n]*/)),

    _blank: _ => /[ \t]+/,
    _space: _ => /[ \t]+/,
    _newline: _ => /\r?\n/,
  },
});
