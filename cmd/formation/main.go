// Command formation is the command-line tool over the Formation engine: it
// manages RFS stacks, execution plans and deployments stored in one local
// database file (-db, default formation.db), against the simulated provider.
//
// Usage:
//
//	formation [global flags] COMMAND [arguments] [flags]
//
// Run "formation -h" for the commands and "formation COMMAND -h" for one
// command's flags. Exit status: 0 success; 1 a deployment ended in
// *_FAILED or ROLLBACK_COMPLETE; 2 invalid usage or a rejected request, with
// the error's RFS code and message on stderr ("RF.10011010: …").
//
// The command table lives in cli.go; each command group is one file that
// registers its commands from init (stack.go, deploy.go, plans.go, …).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
