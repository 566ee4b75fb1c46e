// Package migrations holds the portal's numbered SQL migrations, embedded
// into the binary and applied with goose by `portal migrate` (and by
// `portal serve --migrate`, `portal dev` and the test database helper).
package migrations

import "embed"

// FS holds every migration file, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
