/**
 * CHECKS grammar (Dokku zero-downtime checks, also read by Dash Enterprise).
 *
 *   WAIT=5                     a setting: NAME=value
 *   /  Sales Dashboard         a check: path (or //host/path, http(s)://...) and the content
 *   # comment                  the page must contain
 *
 * Semantic checks (known settings, integer values, path forms, `#` inside the content) live
 * in dash-lsp's analysis layer, so that this grammar reads every plausible line and only
 * truly malformed lines become ERROR nodes.
 */
module.exports = grammar({
  name: 'checks',

  // Whitespace separates the path from the content and is part of the content: no extras.
  extras: _ => [],

  rules: {
    source_file: $ => seq(
      repeat(seq(optional($._line), $._newline)),
      optional($._line),
    ),

    _line: $ => seq(
      optional($._space),
      choice($.setting, $.check, $.comment),
    ),

    setting: $ => seq(
      field('name', $.setting_name),
      optional(field('value', $.setting_value)),
    ),

    // The name with its `=`, as one token so that it wins over `path` (`WAIT=5` is not a
    // path) only when the `=` is there (`https://...` stays a path).
    setting_name: _ => token(prec(2, /[A-Za-z_][A-Za-z0-9_]*=/)),

    // Trailing blanks are part of the value and the content; dash-lsp trims them.
    setting_value: _ => /[^\r\n]+/,

    check: $ => seq(
      field('path', $.path),
      optional(seq($._space, optional(field('content', $.content)))),
    ),

    path: _ => token(prec(1, /[^\s#][^\s]*/)),

    content: _ => /[^\s][^\r\n]*/,

    comment: _ => token(seq('#', /[^\r\n]*/)),

    _space: _ => /[ \t]+/,
    _newline: _ => /\r?\n/,
  },
});
