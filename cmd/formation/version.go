package main

import (
	"context"
	"flag"
	"runtime"
	"runtime/debug"
)

// version: the binary's version, as terraform version prints its own.
func init() {
	register(&command{
		name:    "version",
		summary: "Print Formation's version",
		help: `Prints the version of this binary (the module version it was built from,
or "devel" with the VCS revision for a build from a checkout), the Go
version and the platform. With -json: {"formation_version", "revision",
"go_version", "platform"}. Needs no database.`,
		setup: versionCommand,
	})
}

// versionDocument is version's -json output.
type versionDocument struct {
	Version   string `json:"formation_version"`
	Revision  string `json:"revision,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// buildVersion reads the version the Go toolchain stamped into the binary.
func buildVersion() versionDocument {
	doc := versionDocument{Version: "devel", GoVersion: runtime.Version(), Platform: runtime.GOOS + "_" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return doc
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		doc.Version = v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			doc.Revision = s.Value
		}
	}
	return doc
}

func versionCommand(*flag.FlagSet) action {
	return func(_ context.Context, inv *invocation) error {
		doc := buildVersion()
		if inv.out.json {
			return inv.out.printJSON(doc)
		}
		line := "Formation " + doc.Version
		if doc.Revision != "" {
			line += " (" + doc.Revision + ")"
		}
		return inv.out.printf("%s\non %s, built with %s\n", line, doc.Platform, doc.GoVersion)
	}
}
