package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// TestBackupRestore follows the README's backup: pg_dump -Fc, pg_restore
// into an empty database. The restored portal needs no migration, holds
// the same rows, and its sealed secrets open with the same key (and only
// with it).
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	ctx := t.Context()
	srcURL := testdb.New(t)
	src, err := store.Open(ctx, srcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	key, _ := secrets.ParseKey(testKey)
	box, _ := secrets.New(key)
	if _, err := src.Pool.Exec(ctx, `UPDATE settings SET pc_client_secret_enc = $1`, box.Seal("pc-app-secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Pool.Exec(ctx, `INSERT INTO customers (id, tenant_id, company_name, domain) VALUES (gen_random_uuid(), 'tenant-1', '北京云桥科技有限公司', 'yunqiao.example')`); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "portal.dump")
	if out, err := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file", dump, srcURL).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	dstURL := emptyDB(t)
	if out, err := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--dbname", dstURL, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	dst, err := store.Open(ctx, dstURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if ms, err := dst.MigrationState(ctx); err != nil || ms.Pending != 0 {
		t.Fatalf("restored migrations: %+v, %v", ms, err)
	}
	var name string
	if err := dst.Pool.QueryRow(ctx, `SELECT company_name FROM customers WHERE tenant_id = 'tenant-1'`).Scan(&name); err != nil || name != "北京云桥科技有限公司" {
		t.Fatalf("restored customer %q, %v", name, err)
	}
	st, err := dst.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Open(st.PcClientSecretEnc); err != nil || got != "pc-app-secret" {
		t.Fatalf("sealed secret after restore: %q, %v", got, err)
	}
	otherKey, _ := secrets.ParseKey(secrets.GenerateKey())
	other, _ := secrets.New(otherKey)
	if _, err := other.Open(st.PcClientSecretEnc); err == nil {
		t.Fatal("another key opened the restored secret")
	}
}
