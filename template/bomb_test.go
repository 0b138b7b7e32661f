package template

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/formation-engine/formation"
)

// bombs are templates and variables that asked for gigabytes, minutes or
// a stack overflow (a fatal error, which kills every deployment of the
// process) before evaluation had a budget and parsing a nesting limit.
// Each returns the error Formation answers with.
var bombs = map[string]func() error{
	"for three deep over range(1000)": func() error {
		return expand(`locals { x = [for a in range(1000): [for b in range(1000): [for c in range(1000): c]]] }`, "")
	},
	"for three deep over a local": func() error {
		return expand("locals {\n  r = range(1000)\n  x = [for a in local.r: [for b in local.r: [for c in local.r: c]]]\n}", "")
	},
	"setproduct of three 1,000-element lists": func() error {
		return expand(`locals { x = setproduct(range(1000), range(1000), range(1000)) }`, "")
	},
	"for_each over 10 million keys": func() error {
		return expand(`resource "a_b" "c" { for_each = toset([for i in range(10000000): tostring(i)]) }`, "")
	},
	"regexall on a 1 MB string": func() error {
		return expand("locals {\n  s = format(\"%1000000s\", \"\")\n  x = regexall(\".\", local.s)\n}", "")
	},
	"a string doubled 40 times": func() error {
		var b strings.Builder
		b.WriteString("locals {\n  a0 = \"0123456789abcdef\"\n")
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, "  a%d = \"${local.a%d}${local.a%d}\"\n", i, i-1, i-1)
		}
		b.WriteString("}\n")
		return expand(b.String(), "")
	},
	"a list shared 100 times over, ten deep": func() error {
		var b strings.Builder
		b.WriteString("locals {\n  a0 = range(100)\n")
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "  a%d = [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("local.a%d,", i-1), 100), ","))
		}
		b.WriteString("  x = jsonencode(local.a9)\n  y = local.a9 == local.a9\n}\n")
		return expand(b.String(), "")
	},
	"format with a billion digits": func() error {
		return expand(`locals { x = format("%.999999999f", 1) }`, "")
	},
	"100,000 nested parentheses": func() error {
		return parseNone("locals { x = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + " }")
	},
	"100,000 nested lists": func() error {
		return parseNone("locals { x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + " }")
	},
	"100,000 nested calls": func() error {
		return parseNone("locals { x = " + strings.Repeat("abs(", 100000) + "1" + strings.Repeat(")", 100000) + " }")
	},
	"100,000 nested interpolations": func() error {
		return parseNone("locals { x = " + strings.Repeat(`"${`, 100000) + "1" + strings.Repeat(`}"`, 100000) + " }")
	},
	"100,000 unary operators": func() error {
		return parseNone("locals { x = " + strings.Repeat("-", 100000) + "1 }")
	},
	"100,000 nested JSON arrays": func() error {
		return parseNone(`{"locals": {"x": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`)
	},
	"100,000 nested parentheses in a JSON string": func() error {
		return parseNone(`{"locals": {"x": "${` + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + `}"}}`)
	},
	"vars_body: for three deep": func() error {
		list := "[" + strings.TrimSuffix(strings.Repeat("0,", 2000), ",") + "]"
		return expand(`variable "x" {}`, "x = [for a in "+list+": [for b in "+list+": [for c in "+list+": c]]]")
	},
	"vars_body: 100,000 nested lists": func() error {
		tpl, err := Parse(`variable "x" {}`, Options{Limits: &Limits{}})
		if err != nil {
			return err
		}
		_, err = tpl.Expand(context.Background(), Input{VarsBody: "x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000)})
		return err
	},
	"vars_structure: 100,000 nested lists": func() error {
		tpl, err := Parse(`variable "x" { type = list(any) }`, Options{Limits: &Limits{}})
		if err != nil {
			return err
		}
		_, err = tpl.Expand(context.Background(), Input{VarsStructure: []formation.VarsStructure{{VarKey: "x", VarValue: strings.Repeat("[", 100000) + strings.Repeat("]", 100000)}}})
		return err
	},
}

// expand parses and expands a template with RFS's limits.
func expand(src, varsBody string) error {
	tpl, err := Parse(src, Options{})
	if err != nil {
		return err
	}
	_, err = tpl.Expand(context.Background(), Input{VarsBody: varsBody})
	return err
}

// evaluate parses and expands a template with RFS's limits, and evaluates
// its instances.
func evaluate(src string) error {
	tpl, err := Parse(src, Options{})
	if err != nil {
		return err
	}
	cfg, err := tpl.Expand(context.Background(), Input{})
	if err != nil {
		return err
	}
	for _, inst := range cfg.Instances() {
		_, diags := cfg.Evaluate(context.Background(), inst, nil)
		if err := cfg.DiagnosticsError("evaluate", inst.Addr, diags); err != nil {
			return err
		}
	}
	return nil
}

// parseNone parses with every limit lifted: nothing lifts the nesting
// limit.
func parseNone(src string) error {
	_, err := Parse(src, Options{Limits: &Limits{}})
	return err
}

const bombEnv = "FORMATION_TEMPLATE_BOMB"

// TestBombChild is the child process of TestBombs: it runs the bomb named
// in its environment and checks Formation's answer, a typed error naming
// where in the template or variables the problem is.
func TestBombChild(t *testing.T) {
	name := os.Getenv(bombEnv)
	if name == "" {
		t.Skip("run by TestBombs")
	}
	err := bombs[name]()
	var fe *formation.Error
	if !errors.As(err, &fe) || (fe.Code != formation.CodeTooLong && fe.Code != formation.CodeInvalidTemplate && fe.Code != formation.CodeInvalidVariables) {
		t.Fatalf("%s: %v; want a *formation.Error, too long or invalid", name, err)
	}
	if !regexp.MustCompile(`(main\.tf(\.json)?|vars_body|vars_structure|<console-input>):\d+`).MatchString(err.Error()) &&
		!strings.Contains(err.Error(), "nests more than") {
		t.Fatalf("%s: %v; want it to name file:line", name, err)
	}
	t.Logf("%s: %v", name, err)
}

// TestBombs runs each bomb in a child process (a stack overflow is fatal,
// and memory is measured per process) and checks it is refused within a
// second of CPU time and 256 MB, the child alive and answering. CPU time,
// not wall time: a loaded machine slows the child, it does not make it
// work more. The race detector multiplies both, hence raceFactor.
func TestBombs(t *testing.T) {
	if os.Getenv(bombEnv) != "" {
		t.Skip("child")
	}
	for name := range bombs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBombChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), bombEnv+"="+name, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the child failed: %v\n%s", err, out)
			}
			usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			rss := usage.Maxrss << 10 // kilobytes on Linux
			t.Logf("CPU %v, max RSS %d MB", cpu.Round(time.Millisecond), rss>>20)
			if cpu > raceFactor*time.Second {
				t.Errorf("the child used %v of CPU time, want at most %v", cpu, raceFactor*time.Second)
			}
			if rss > raceFactor*256<<20 {
				t.Errorf("the child's resident set reached %d MB, want at most %d MB", rss>>20, raceFactor*256)
			}
		})
	}
}

func init() {
	bombs["templatestring of 100,000 nested interpolations"] = func() error {
		// The template is built at run time: its source is short.
		return expand(`locals {
  open  = join("", [for i in range(100000): "$${"])
  close = join("", [for i in range(100000): "}"])
  t     = "${local.open}1${local.close}"
  x     = templatestring(local.t, {})
}`, "")
	}
	// JSON templates: hcl parses a JSON string's template each time it
	// evaluates it; the budget meters the templates parsed once at decode.
	bombs["JSON: for three deep over range(1000)"] = func() error {
		return expand(`{"locals": {"x": "${[for a in range(1000): [for b in range(1000): [for c in range(1000): c]]]}"}}`, "")
	}
	bombs["JSON: for three deep over a local"] = func() error {
		return expand(`{"locals": {"r": "${range(1000)}", "x": ["${[for a in local.r: [for b in local.r: [for c in local.r: c]]]}"]}}`, "")
	}
	bombs["JSON: setproduct of three 1,000-element lists"] = func() error {
		return expand(`{"locals": {"x": {"p": "${setproduct(range(1000), range(1000), range(1000))}"}}}`, "")
	}
	bombs["JSON: for_each over 10 million keys"] = func() error {
		return expand(`{"resource": {"a_b": {"c": {"for_each": "${toset([for i in range(10000000): tostring(i)])}"}}}}`, "")
	}
	bombs["JSON: an object key for three deep"] = func() error {
		return expand(`{"locals": {"r": "${range(1000)}", "x": {"${jsonencode([for a in local.r: [for b in local.r: [for c in local.r: c]]])}": 1}}}`, "")
	}
	bombs["JSON: a resource argument for three deep over a local"] = func() error {
		return evaluate(`{"locals": {"r": "${range(1000)}"}, "resource": {"a_b": {"c": {"v": "${[for a in local.r: [for b in local.r: [for c in local.r: c]]]}"}}}}`)
	}
	bombs["JSON: a string doubled 40 times"] = func() error {
		var b strings.Builder
		b.WriteString(`{"locals": {"a0": "0123456789abcdef"`)
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, `, "a%d": "${local.a%d}${local.a%d}"`, i, i-1, i-1)
		}
		b.WriteString("}}")
		return expand(b.String(), "")
	}
	bombs["JSON: 100,000 nested interpolations"] = func() error {
		return parseNone(`{"locals": {"x": "` + strings.Repeat(`${\"`, 100000) + "1" + strings.Repeat(`\"}`, 100000) + `"}}`)
	}
	bombs["templatestring: for directives three deep"] = func() error {
		return expand(`locals {
  t = "%%{for a in range(1000)}%%{for b in range(1000)}%%{for c in range(1000)}x%%{endfor}%%{endfor}%%{endfor}"
  x = templatestring(local.t, {})
}`, "")
	}
	bombs["templatestring: setproduct of three 1,000-element lists"] = func() error {
		return expand(`locals {
  t = "$${length(setproduct(range(1000), range(1000), range(1000)))}"
  x = templatestring(local.t, {})
}`, "")
	}
	bombs["console: for three deep"] = func() error {
		tpl, err := Parse(`locals { r = range(1000) }`, Options{})
		if err != nil {
			return err
		}
		cfg, err := tpl.Expand(context.Background(), Input{})
		if err != nil {
			return err
		}
		_, diags := cfg.EvaluateExpression(context.Background(), "[for a in local.r: [for b in local.r: [for c in local.r: c]]]", nil)
		return diagError("console", formation.CodeInvalidTemplate, diags, nil)
	}
}
