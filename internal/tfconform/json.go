package tfconform

// JSON syntax: how strings, templates, numbers, nulls and nested objects
// of a .tf.json file evaluate.
func init() {
	addModules(map[string]string{
		"json/template_directives": `{
  "output": {
    "a": { "value": "%{ if true }yes%{ endif }" },
    "b": { "value": "${upper(\"x\")}-${1 + 1}" },
    "c": { "value": "$${literal} %%{literal}" },
    "d": { "value": "%{ for s in [\"p\", \"q\"] }${s}%{ endfor }" }
  }
}`,
		"json/literals": `{
  "output": {
    "n": { "value": 12345678901234567890 },
    "f": { "value": 1.5e3 },
    "b": { "value": true },
    "l": { "value": [1, "a", null, {"k": "v"}] },
    "o": { "value": { "x": { "y": [] } } }
  }
}`,
		"json/null_value": `{
  "output": {
    "n": { "value": null },
    "s": { "value": "s" }
  }
}`,
		"json/variable_default": `{
  "variable": {
    "v": { "type": "list(number)", "default": ["1", 2] }
  },
  "output": {
    "v": { "value": "${var.v}" },
    "w": { "value": "${var.v[0] + 1}" }
  }
}`,
		"json/locals_expression": `{
  "locals": {
    "a": "${1 + 2}",
    "b": "x${local.a}",
    "c": { "k": "${local.b}" }
  },
  "output": {
    "c": { "value": "${local.c}" },
    "k": { "value": "${local.c.k}" }
  }
}`,
		"json/object_key_template": `{
  "locals": {
    "k": "key"
  },
  "output": {
    "o": { "value": { "${local.k}": 1 } }
  }
}`,
		"json/resource_for_each": `{
  "resource": {
    "terraform_data": {
      "a": {
        "for_each": "${toset([\"x\", \"y\"])}",
        "input": "${each.key}"
      }
    }
  },
  "output": {
    "o": { "value": "${[for k, v in terraform_data.a : v.output]}" }
  }
}`,
		"json/output_sensitive": `{
  "variable": {
    "s": { "default": "x", "sensitive": true }
  },
  "output": {
    "o": { "value": "${var.s}" }
  }
}`,
		"json/comment": `{
  "//": "a comment",
  "output": {
    "o": { "value": "v", "//": "also a comment" }
  }
}`,
	})
}
