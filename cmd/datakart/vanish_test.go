package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"datakart/connectors"
	"datakart/connectors/files"
)

// vanishing is a file source whose gone.csv is deleted between listing
// and reading.
type vanishing struct{ dir string }

type vanishingSource struct {
	connectors.Source
	dir string
}

func (v vanishing) source(t *testing.T) connectors.Source {
	src, err := files.New(v.dir, files.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return vanishingSource{src, v.dir}
}

func (s vanishingSource) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	var units []connectors.Unit
	if err := s.Source.Units(ctx, func(u connectors.Unit) error { units = append(units, u); return nil }); err != nil {
		return err
	}
	os.Remove(filepath.Join(s.dir, "gone.csv"))
	for _, u := range units {
		if err := visit(u); err != nil {
			return err
		}
	}
	return nil
}
