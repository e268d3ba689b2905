// Package cputime reads the CPU time the kernel accounts to this process.
// Benchmarks and bounded tests use it instead of wall-clock time, which
// on a shared, loaded machine says more about the neighbours than about
// the code.
package cputime
