package sqlserver

import (
	"regexp"
	"testing"
)

// TestKeyColumnsBinary checks that every bounded text column of the schema
// compares in binary: Azure SQL's default collation is case-insensitive, and
// would make "LAMP-1" and "lamp-1" one SKU with one stock row.
func TestKeyColumnsBinary(t *testing.T) {
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	column := regexp.MustCompile(`(?i)\bN?VARCHAR\s*\(\s*\d+\s*\)(\s+COLLATE\s+(\w+))?`)
	n := 0
	for _, m := range all {
		for _, b := range m.Batches {
			for _, c := range column.FindAllStringSubmatch(b, -1) {
				n++
				if c[2] != "Latin1_General_100_BIN2" {
					t.Errorf("%s: %q: want COLLATE Latin1_General_100_BIN2", m.Name, c[0])
				}
			}
		}
	}
	if n == 0 {
		t.Error("found no bounded text column in the migrations")
	}
}
