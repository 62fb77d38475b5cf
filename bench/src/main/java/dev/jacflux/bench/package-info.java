/**
 * JacFlux's benchmark suite: the five cases of {@code BENCHMARKS.md} with their floors and
 * baselines ({@link dev.jacflux.bench.BenchmarkSuite}), and JMH benchmarks of the hot paths
 * ({@code dev.jacflux.bench.jmh}).
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("full-jac", BenchOptions.defaults());
 * System.out.println(r.toTable());
 * }</pre>
 */
package dev.jacflux.bench;
