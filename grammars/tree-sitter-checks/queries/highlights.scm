(comment) @comment
(setting_name) @property
(setting_value) @number
(path) @string.special.url
(content) @string
