(comment) @comment
(process_type) @type
":" @punctuation.delimiter
(command) @string.special
