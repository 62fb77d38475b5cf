/**
 * JMH benchmarks of the engine's and pipeline's hot paths: an op's VJP with leading axes
 * ({@link dev.jacflux.bench.jmh.OpVjpBenchmark}), the assembly of one chunk into its slot of a
 * batch Jacobian ({@link dev.jacflux.bench.jmh.AssemblyBenchmark}), the fan-out of a small
 * job's chunks through the pipeline ({@link dev.jacflux.bench.jmh.PipelineFanOutBenchmark}), and
 * {@code .npy} bytes to arrays and back ({@link dev.jacflux.bench.jmh.NpyCodecBenchmark}).
 * Not run by {@code mvn verify}; see {@code docs/benchmarks.md}:
 *
 * <pre>{@code
 * mvn -B -o -pl bench -am package -DskipTests
 * java -cp "bench/target/jacflux-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main -f 1 OpVjpBenchmark
 * }</pre>
 */
package dev.jacflux.bench.jmh;
