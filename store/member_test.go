package store

import (
	"errors"
	"testing"
)

func TestMembers(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	for _, name := range []string{"ann", "bob"} {
		if _, err := s.CreateUser(ctx, name, hashOf(name), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateProjectAs(ctx, "ann", "payments", "team"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateProjectAs(ctx, "nobody", "ledger", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("a project owned by a missing user: %v, want ErrNotFound", err)
	}
	if _, err := s.Project(ctx, "ledger"); !errors.Is(err, ErrNotFound) {
		t.Error("the refused project was created anyway")
	}
	if role, err := s.MemberRole(ctx, "payments", "ann"); err != nil || role != "admin" {
		t.Errorf("the creator's role = %q, %v; want admin", role, err)
	}
	if _, err := s.MemberRole(ctx, "payments", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob's role before joining: %v, want ErrNotFound", err)
	}
	if err := s.SetMember(ctx, "payments", "bob", "viewer"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMember(ctx, "payments", "bob", "editor"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMember(ctx, "payments", "bob", "owner"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("an unknown role: %v, want ErrInvalidName", err)
	}
	if err := s.SetMember(ctx, "payments", "carl", "viewer"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing user: %v, want ErrNotFound", err)
	}
	ms, err := s.Members(ctx, "payments")
	if err != nil || len(ms) != 2 || ms[0].User != "ann" || ms[1].User != "bob" || ms[1].Role != "editor" {
		t.Errorf("Members = %+v, %v", ms, err)
	}
	ps, err := s.ProjectsOf(ctx, "bob")
	if err != nil || len(ps) != 1 || ps[0].Name != "payments" {
		t.Errorf("ProjectsOf(bob) = %+v, %v", ps, err)
	}
	if err := s.RemoveMember(ctx, "payments", "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, "payments", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing bob twice: %v, want ErrNotFound", err)
	}
	if ps, _ := s.ProjectsOf(ctx, "bob"); len(ps) != 0 {
		t.Errorf("bob still sees %+v", ps)
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	for _, e := range []AuditEntry{
		{User: "ann", Action: "signin"},
		{User: "ann", Action: "project.create", Project: "payments", Target: "payments"},
		{User: "ann", Action: "blueprint.import", Project: "payments", Target: "aks", Detail: "version 1"},
		{User: "bob", Action: "project.create", Project: "ledger", Target: "ledger"},
	} {
		if err := s.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AuditLog(ctx, "", 10)
	if err != nil || len(all) != 4 || all[0].Action != "project.create" || all[0].User != "bob" || all[0].At.IsZero() {
		t.Fatalf("AuditLog(all) = %+v, %v", all, err)
	}
	ps, err := s.AuditLog(ctx, "payments", 10)
	if err != nil || len(ps) != 2 || ps[0].Target != "aks" || ps[0].Detail != "version 1" {
		t.Errorf("AuditLog(payments) = %+v, %v", ps, err)
	}
	if few, _ := s.AuditLog(ctx, "", 1); len(few) != 1 {
		t.Errorf("limit 1 gave %d entries", len(few))
	}
}
