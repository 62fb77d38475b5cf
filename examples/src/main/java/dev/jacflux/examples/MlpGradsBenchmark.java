package dev.jacflux.examples;

import dev.jacflux.autodiff.transforms.PerSampleGradients;
import dev.jacflux.autodiff.transforms.PerSampleOptions;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.model.DpSgd;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.PerSample;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.Sgd;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Tanh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The {@code mlp-grads} benchmark case (784-256-128-10 tanh MLP, per-sample cross-entropy,
 * N = 256, float32, seeded data): per-sample gradients {@code [256, 235146]} by the model API,
 * against a loop of N single-sample backward passes, the engine's generic per-sample route and a
 * hand-written outer-product floor, all measured in the same run (medians, interleaved); plus
 * ghost norms and the DP-SGD step against a plain step.
 *
 * <pre>{@code
 * mvn -B -q -pl examples -am package -DskipTests
 * OMP_NUM_THREADS=2 java -Xmx3g -cp "examples/target/jacflux-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*" dev.jacflux.examples.MlpGradsBenchmark [reps]
 * }</pre>
 */
public final class MlpGradsBenchmark {
    private MlpGradsBenchmark() {
    }

    /** Runs the benchmark; the optional argument is the number of timed repetitions (default 15). */
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int n = 256;
        Sequential mlp = Sequential.of(new long[] {784}, Linear.of("fc1", 784, 256), new Tanh(), Linear.of("fc2", 256, 128), new Tanh(),
                Linear.of("fc3", 128, 10));
        Model model = Model.initialize(mlp, DataType.FLOAT, 42L);
        Random rnd = new Random(43);
        float[] xs = new float[n * 784];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rnd.nextGaussian();
        }
        INDArray x = Nd4j.create(xs, new long[] {n, 784}, 'c');
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(10);
        }
        INDArray y = Nd4j.createFromArray(labels);
        Loss ce = Loss.crossEntropy();
        long m = model.parameterCount();
        INDArray buffer = Nd4j.createUninitialized(DataType.FLOAT, n, m);
        INDArray floorBuffer = Nd4j.createUninitialized(DataType.FLOAT, n, m);
        PerSampleOptions all = PerSampleOptions.DEFAULT;

        // correctness in this run: the fast routes against the loop (float32 tolerances)
        INDArray loop = RowLoop.perSampleGradients(model.lossFunction(ce), x, y, model.parameters());
        INDArray fast = PerSample.gradients(model, x, y, ce, all, buffer).matrix();
        INDArray floor = handWritten(model, x, y, floorBuffer);
        System.out.printf("max |model API - loop| = %.2e, max |floor - loop| = %.2e, max |loop| = %.2e%n",
                fast.sub(loop).amaxNumber().doubleValue(), floor.sub(loop).amaxNumber().doubleValue(), loop.amaxNumber().doubleValue());

        Map<String, Supplier<Object>> cases = new LinkedHashMap<>();
        cases.put("loop of 256 single-sample backward passes", () -> RowLoop.perSampleGradients(model.lossFunction(ce), x, y, model.parameters()));
        cases.put("hand-written outer products (floor), reused buffer", () -> handWritten(model, x, y, floorBuffer));
        cases.put("PerSample.gradients, reused buffer", () -> PerSample.gradients(model, x, y, ce, all, buffer));
        cases.put("PerSample.gradients, fresh result", () -> PerSample.gradients(model, x, y, ce, all));
        cases.put("engine per-sample mode (gradientsJobViaEngine)", () -> {
            PerSampleGradients.Job j = PerSample.gradientsJobViaEngine(model, x, y, ce, all);
            return j.runInto(buffer);
        });
        cases.put("ghost norms [N] (no N x M matrix)", () -> PerSample.gradientNorms(model, x, y, ce));
        Sgd sgd = new Sgd(0.01, ce);
        DpSgd dp = DpSgd.of(0.01, 1.0, 1.0, ce);
        cases.put("plain SGD step", () -> sgd.step(model, x, y));
        cases.put("DP-SGD step, ghost clipping", () -> dp.step(model, x, y, 5L));
        DpSgd quiet = DpSgd.of(0.01, 1.0, 0.0, ce);
        cases.put("DP-SGD step, ghost clipping, no noise (sigma = 0)", () -> quiet.step(model, x, y, 5L));
        cases.put("DP-SGD step, per-sample matrix", () -> dp.withMethod(DpSgd.Method.PER_SAMPLE_MATRIX).step(model, x, y, 5L));

        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (String k : cases.keySet()) {
            times.put(k, new ArrayList<>());
        }
        for (int r = -3; r < reps; r++) {   // 3 warm-up rounds; interleaved so that machine noise hits every case alike
            for (Map.Entry<String, Supplier<Object>> e : cases.entrySet()) {
                if (r >= reps / 3 && e.getKey().startsWith("loop")) {
                    continue;   // the loop is slow; a third of the rounds is enough
                }
                long t0 = System.nanoTime();
                e.getValue().get();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (r >= 0) {
                    times.get(e.getKey()).add(ms);
                }
            }
        }
        double loopMs = median(times.get("loop of 256 single-sample backward passes"));
        double floorMs = median(times.get("hand-written outer products (floor), reused buffer"));
        double plainMs = median(times.get("plain SGD step"));
        System.out.printf("mlp-grads: 784-256-128-10 tanh, N = %d, M = %d, float32, OMP_NUM_THREADS=%s, medians%n", n, m,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double t = median(e.getValue());
            System.out.printf("  %-52s %8.1f ms   %6.2fx loop  %6.2fx floor  %6.2fx plain step%n", e.getKey(), t, t / loopMs, t / floorMs,
                    t / plainMs);
        }
    }

    /** The floor: forward and backward written by hand, outer products written into the result's columns. */
    static INDArray handWritten(Model model, INDArray x, INDArray y, INDArray out) {
        List<INDArray> p = model.parameters();
        long n = x.size(0);
        INDArray h1 = Transforms.tanh(Nd4j.gemm(x, p.get(0), false, true).addiRowVector(p.get(1)), false);
        INDArray h2 = Transforms.tanh(Nd4j.gemm(h1, p.get(2), false, true).addiRowVector(p.get(3)), false);
        INDArray z = Nd4j.gemm(h2, p.get(4), false, true).addiRowVector(p.get(5));
        INDArray g3 = Transforms.softmax(z, false);
        long[] t = y.toLongVector();
        for (int b = 0; b < n; b++) {
            g3.putScalar(b, t[b], g3.getDouble(b, t[b]) - 1);
        }
        INDArray g2 = Nd4j.gemm(g3, p.get(4), false, false).muli(h2.mul(h2).rsubi(1));
        INDArray g1 = Nd4j.gemm(g2, p.get(2), false, false).muli(h1.mul(h1).rsubi(1));
        long off = 0;
        off = outer(out, off, g1, x);
        off = outer(out, off, g2, h1);
        outer(out, off, g3, h2);
        return out;
    }

    private static long outer(INDArray out, long off, INDArray g, INDArray a) {
        long n = g.size(0);
        long o = g.size(1);
        long i = a.size(1);
        INDArray w = out.get(NDArrayIndex.all(), NDArrayIndex.interval(off, off + o * i)).reshape('c', n, o, i);
        Nd4j.exec(new MulOp(new INDArray[] {g.reshape('c', n, o, 1), a.reshape('c', n, 1, i)}, new INDArray[] {w}));
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(off + o * i, off + o * i + o)).assign(g);
        return off + o * i + o;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
