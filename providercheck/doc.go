// Package providercheck is the real providers' check of a blueprint: it writes the
// blueprint's generated files into a temporary folder, has the host's terraform install the
// providers from a filesystem mirror (terraform init -backend=false, with a CLI
// configuration that names only the mirror) and run terraform validate -json, and puts each
// diagnostic on the blueprint's field it is about, labelled with who said it
// ("time 0.14.2 says: ..."). The providers know what CloudOven's own validation (package
// blueprint) cannot: the checks in their code, such as an argument's range or format.
//
// It is not the provider mirror (the caller gives a Mirror), nor persistence (the caller
// gives a Cache; *store.Store has one), nor a run: validate never configures a provider, so
// no credential is needed or passed, and nothing is planned.
//
// Start with Checker.Check (check.go): the cache key is the generated files with the
// provider versions the mirror holds for them (key.go), so the same blueprint version with
// the same providers answers from the cache. Parse (parse.go) is the validate output's
// reader alone, which a run's plan stage uses on a validate -json output file: it places
// every diagnostic with blueprint.MapSource, and keeps one with no range or on an unmapped
// line at the blueprint level, never dropping it; lock.go reads the versions init chose
// from .terraform.lock.hcl.
package providercheck
