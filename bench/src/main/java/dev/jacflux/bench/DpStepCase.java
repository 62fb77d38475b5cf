package dev.jacflux.bench;

import dev.jacflux.model.AesCtrRandom;
import dev.jacflux.model.DpSgd;
import dev.jacflux.model.GaussianNoise;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.model.NoiseSource;
import dev.jacflux.model.Sgd;
import dev.jacflux.training.privacy.RdpAccountant;
import dev.jacflux.training.privacy.RdpOrders;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code dp-step}: the cost of a private training step against a plain one, on the {@code mlp-grads}
 * model and batch (MLP 784-256-128-10 tanh, N = 256, M = 235146, float32), side by side in one run.
 *
 * <p>Groups (each compares its {@code jacflux} with its {@code floor}; the results differ on purpose,
 * so they are only checked to be finite):
 * <ul>
 *   <li>{@code secure}: {@code jacflux} = a DP-SGD step with ghost clipping and secure noise
 *       ({@code DpSgd.step(model, x, y)}, sigma = 1, C = 1: the default private step), {@code floor} =
 *       a plain SGD step ({@code Sgd.step}: forward, backward, update; no clipping, no noise);</li>
 *   <li>{@code seeded}: the same with seeded noise (the ziggurat on {@code SplittableRandom}; not
 *       private), against the same plain step;</li>
 *   <li>{@code lenet-secure}, {@code lenet-seeded}: the same two on LeNet-5 (the {@code lenet-grads}
 *       model and batch, N = 128, M = 44426): ghost clipping through convolutions and pooling;</li>
 *   <li>{@code noise}: drawing the {@code M} noise values alone, secure (AES-256-CTR keystream keyed
 *       from {@code SecureRandom}, each value the halved sum of four draws) as {@code jacflux} against
 *       seeded (one draw per value) as {@code floor};</li>
 *   <li>{@code hardening}: the cost of the floating-point hardening alone: secure noise as drawn
 *       ({@code jacflux}, four draws per value) against secure noise of one draw per value
 *       ({@code floor});</li>
 *   <li>{@code account}: the accountant's share of a step, {@code RdpAccountant.step} plus
 *       {@code epsilon(delta)} (cached per-order RDP), 1000 times per run, so the median in ms is the
 *       cost per step in microseconds.</li>
 * </ul>
 *
 * <pre>{@code
 * CaseReport r = BenchmarkSuite.run("dp-step", BenchOptions.defaults());
 * double ratio = r.ratio("jacflux[secure]", "floor");   // private step over plain step
 * }</pre>
 */
public final class DpStepCase implements BenchCase {
    private static final double SIGMA = 1.0;
    private static final double CLIP = 1.0;
    private static final double LR = 0.01;

    @Override
    public String name() {
        return "dp-step";
    }

    @Override
    public String description(Size size) {
        return "a DP-SGD step (ghost clipping, sigma 1, C 1) against a plain SGD step on the mlp-grads model and batch ("
                + new MlpGradsCase().description(size).replace("per-sample gradients of cross-entropy, ", "") + ")";
    }

    @Override
    public List<MethodGroup> groups(BenchOptions options) {
        Size size = options.size();
        INDArray x = MlpGradsCase.inputs(size);
        INDArray labels = MlpGradsCase.labels(size);
        Model model = MlpGradsCase.model(size, MlpGradsCase.parameters(size));
        long m = model.parameterCount();
        long n = x.size(0);
        Loss loss = Loss.crossEntropy();
        DpSgd dp = DpSgd.of(LR, CLIP, SIGMA, loss);
        Sgd sgd = new Sgd(LR, loss);
        String shape = "(" + m + ") parameters after one step of N = " + n;
        List<MethodGroup> groups = new ArrayList<>();

        List<BenchMethod> secure = new ArrayList<>();
        if (options.includes("jacflux")) {
            secure.add(step("jacflux", () -> dp.step(model, x, labels).model(), "DpSgd.step, ghost clipping, secure noise"));
        }
        if (options.includes("floor")) {
            secure.add(step("floor", () -> sgd.step(model, x, labels).model(), "Sgd.step: the plain step"));
        }
        groups.add(new MethodGroup("secure", shape, secure, false));

        List<BenchMethod> seeded = new ArrayList<>();
        if (options.includes("jacflux")) {
            long[] seed = {0};
            seeded.add(step("jacflux", () -> dp.step(model, x, labels, NoiseSource.seeded(seed[0]++)).model(),
                    "DpSgd.step, ghost clipping, seeded noise (not private)"));
        }
        if (options.includes("floor")) {
            seeded.add(step("floor", () -> sgd.step(model, x, labels).model(), "Sgd.step: the plain step"));
        }
        groups.add(new MethodGroup("seeded", shape, seeded, false));
        groups.addAll(lenetSteps(options, dp, sgd));

        List<BenchMethod> noise = new ArrayList<>();
        if (options.includes("jacflux")) {
            noise.add(BenchMethod.of("jacflux", () -> note(() -> NoiseSource.secure().sample(m, SIGMA * CLIP, DataType.FLOAT),
                    "AES-256-CTR keystream keyed from SecureRandom + ziggurat, four draws per value")));
        }
        if (options.includes("floor")) {
            long[] seed = {0};
            noise.add(BenchMethod.of("floor", () -> note(() -> GaussianNoise.sample(seed[0]++, m, SIGMA * CLIP, DataType.FLOAT),
                    "SplittableRandom + ziggurat (seeded, not private)")));
        }
        groups.add(new MethodGroup("noise", "(" + m + ") normal draws", noise, false));

        List<BenchMethod> hardening = new ArrayList<>();
        if (options.includes("jacflux")) {
            hardening.add(BenchMethod.of("jacflux", () -> note(() -> NoiseSource.secure().sample(m, SIGMA * CLIP, DataType.FLOAT),
                    "secure, each value the halved sum of four draws (the default)")));
        }
        if (options.includes("floor")) {
            hardening.add(BenchMethod.of("floor", () -> note(() -> GaussianNoise.sample(AesCtrRandom.fromSecureRandom(), m, SIGMA * CLIP,
                    DataType.FLOAT), "secure, one draw per value (not hardened)")));
        }
        groups.add(new MethodGroup("hardening", "(" + m + ") normal draws", hardening, false));

        if (options.includes("jacflux")) {
            double q = 256 / 60000.0;
            groups.add(new MethodGroup("account", "(1) epsilon after 1000 steps", List.of(BenchMethod.of("jacflux", () -> {
                RdpAccountant acc = new RdpAccountant();
                acc.step(SIGMA, q);   // the per-order RDP of (sigma, q) is computed here, once, outside the timed runs
                return note(() -> {
                    double eps = 0;
                    for (int i = 0; i < 1000; i++) {
                        acc.step(SIGMA, q);
                        eps = acc.epsilon(1e-5);
                    }
                    return Nd4j.scalar(eps);
                }, "1000 x (RdpAccountant.step + epsilon(1e-5)), " + RdpOrders.defaults().length + " orders: ms per run = us per step");
            })), false));
        }
        return groups;
    }

    /**
     * The same two comparisons on LeNet-5 ({@link ConvNet#LENET}, the {@code lenet-grads} model and
     * batch): ghost clipping through two convolutions, two max-pools and three dense layers.
     */
    private static List<MethodGroup> lenetSteps(BenchOptions options, DpSgd dp, Sgd sgd) {
        Size size = options.size();
        ConvNet net = ConvNet.LENET;
        long n = net.batches(size)[0];
        INDArray x = net.inputs(size, n);
        INDArray labels = net.labels(size, n);
        Model model = net.model(size);
        String shape = "(" + model.parameterCount() + ") LeNet-5 parameters after one step of N = " + n;
        List<BenchMethod> secure = new ArrayList<>();
        List<BenchMethod> seeded = new ArrayList<>();
        if (options.includes("jacflux")) {
            secure.add(step("jacflux", () -> dp.step(model, x, labels).model(), "DpSgd.step on LeNet-5, ghost clipping, secure noise"));
            long[] seed = {0};
            seeded.add(step("jacflux", () -> dp.step(model, x, labels, NoiseSource.seeded(seed[0]++)).model(),
                    "DpSgd.step on LeNet-5, ghost clipping, seeded noise (not private)"));
        }
        if (options.includes("floor")) {
            secure.add(step("floor", () -> sgd.step(model, x, labels).model(), "Sgd.step on LeNet-5: the plain step"));
            seeded.add(step("floor", () -> sgd.step(model, x, labels).model(), "Sgd.step on LeNet-5: the plain step"));
        }
        return List.of(new MethodGroup("lenet-secure", shape, secure, false), new MethodGroup("lenet-seeded", shape, seeded, false));
    }

    private static BenchMethod step(String name, java.util.function.Supplier<Model> run, String note) {
        // the result is the first weight matrix of the updated model (no copy)
        return BenchMethod.of(name, () -> note(() -> run.get().parameters().get(0), note));
    }

    private static BenchMethod.Prepared note(java.util.function.Supplier<INDArray> run, String note) {
        return new BenchMethod.Prepared() {
            @Override
            public INDArray run() {
                return run.get();
            }

            @Override
            public String note() {
                return note;
            }
        };
    }
}
