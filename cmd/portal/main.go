// Command portal is the CSP partner portal: one binary that serves the web
// portal, runs migrations and sync jobs, and embeds a Partner Center sandbox
// for demos and tests. main stays thin: it calls run, and each subcommand
// lives in a file of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// env is what every subcommand gets from the process: arguments after the
// subcommand name, the environment and the output streams.
type env struct {
	args   []string
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of the binary.
type command struct {
	summary string
	run     func(ctx context.Context, e env) error
}

// commands lists every subcommand. Each is defined in its own file.
var commands = map[string]command{
	"serve":   {"run the web portal and background jobs", cmdServe},
	"migrate": {"apply or inspect database migrations (up, down, status)", cmdMigrate},
	"dev":     {"run the portal with a private Postgres and the embedded sandbox", cmdDev},
	"sandbox": {"run the Partner Center sandbox standalone", cmdSandbox},
	"sync":    {"run one sync job in the foreground (full, incremental, reconcile)", cmdSync},
	"user":    {"manage local accounts (create-admin, reset-password)", cmdUser},
	"version": {"print the version", cmdVersion},
}

// errUsage marks a usage error: the message is printed with the usage text.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run dispatches to a subcommand. It is main without the process globals, so
// tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	return c.run(ctx, env{args: args[1:], getenv: getenv, stdout: stdout, stderr: stderr})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: portal <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
}
