package dev.jacflux.bench;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.model.Model;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Size2d;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The conv nets of the {@code lenet-*} and {@code cnn-*} cases: the architecture, the seeded model
 * (PyTorch's default initialisation from a fixed seed, float32), and seeded inputs and labels, with
 * one group per batch size.
 *
 * <ul>
 *   <li>{@link #LENET} ({@code BENCHMARKS.md}): conv 5x5 1->6, ReLU, max-pool 2, conv 5x5 6->16,
 *       ReLU, max-pool 2, dense 256->120->84->10 with ReLU; x (128, 1, 28, 28); 44,426 parameters.</li>
 *   <li>{@link #CNN} (a second architecture so that nothing is tuned to LeNet's shapes): conv 3x3
 *       padding 1 3->16, ReLU, average-pool 2, conv 3x3 padding 1 16->32, ReLU, average-pool 2,
 *       dense 2048->10; x (N, 3, 32, 32) for N in {16, 64, 256}; 25,578 parameters.</li>
 * </ul>
 *
 * <pre>{@code
 * Model lenet = ConvNet.LENET.model(Size.FULL);
 * INDArray x = ConvNet.LENET.inputs(Size.FULL, 128);     // (128, 1, 28, 28)
 * }</pre>
 *
 * @param name the case prefix ({@code lenet}, {@code cnn})
 * @param text the architecture in words, for descriptions
 * @param full the architecture at full size
 * @param tiny a shrunken architecture of the same layer kinds (tests and smoke runs)
 * @param fullBatches the batch sizes (groups) at full size
 * @param tinyBatches the batch sizes at the tiny size
 * @param seed the seed of the weights; inputs and labels use {@code seed + 1} and {@code seed + 2}
 */
public record ConvNet(String name, String text, Sequential full, Sequential tiny, long[] fullBatches, long[] tinyBatches, long seed) {

    /** LeNet-5 of {@code BENCHMARKS.md}. */
    public static final ConvNet LENET = new ConvNet("lenet",
            "LeNet-5: conv 5x5 1->6, ReLU, max-pool 2, conv 5x5 6->16, ReLU, max-pool 2, dense 256->120->84->10 with ReLU",
            lenet(1, 6, 16, 28, 120, 84), lenet(1, 2, 3, 16, 5, 4), new long[] {128}, new long[] {3}, 5);

    /** The second architecture: 3x3 kernels with padding, more channels, average pooling, several batch sizes. */
    public static final ConvNet CNN = new ConvNet("cnn",
            "CNN: conv 3x3 pad 1 3->16, ReLU, avg-pool 2, conv 3x3 pad 1 16->32, ReLU, avg-pool 2, dense 2048->10",
            cnn(3, 16, 32, 32), cnn(2, 3, 4, 8), new long[] {16, 64, 256}, new long[] {2, 3}, 7);

    private static Sequential lenet(long in, long c1, long c2, long side, long h1, long h2) {
        long s = ((side - 4) / 2 - 4) / 2;
        return Sequential.of(new long[] {in, side, side},
                Conv2d.of("conv1", in, c1, 5), new Relu(), MaxPool2d.of(2),
                Conv2d.of("conv2", c1, c2, 5), new Relu(), MaxPool2d.of(2), new Flatten(),
                Linear.of("fc1", c2 * s * s, h1), new Relu(), Linear.of("fc2", h1, h2), new Relu(), Linear.of("fc3", h2, 10));
    }

    private static Sequential cnn(long in, long c1, long c2, long side) {
        Size2d k3 = Size2d.square(3);
        Size2d one = Size2d.square(1);
        long s = side / 4;
        return Sequential.of(new long[] {in, side, side},
                new Conv2d("conv1", in, c1, k3, one, one, one, true), new Relu(), AvgPool2d.of(2),
                new Conv2d("conv2", c1, c2, k3, one, one, one, true), new Relu(), AvgPool2d.of(2), new Flatten(),
                Linear.of("fc", c2 * s * s, 10));
    }

    /** The architecture at a size. */
    public Sequential architecture(Size size) {
        return size == Size.FULL ? full : tiny;
    }

    /** The batch sizes (one group each). */
    public long[] batches(Size size) {
        return (size == Size.FULL ? fullBatches : tinyBatches).clone();
    }

    /** The seeded float32 model. */
    public Model model(Size size) {
        return Model.initialize(architecture(size), DataType.FLOAT, seed);
    }

    /** Seeded inputs {@code [n, *inputShape]} ~ N(0, 1). */
    public INDArray inputs(Size size, long n) {
        long[] in = architecture(size).inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = n;
        System.arraycopy(in, 0, shape, 1, in.length);
        return SeededData.gaussian(seed + 1, 1.0, shape);
    }

    /** Seeded labels {@code [n]} in {@code [0, classes)}. */
    public INDArray labels(Size size, long n) {
        return SeededData.labels(seed + 2, (int) architecture(size).outputShape()[0], n);
    }

    /** The logits as a function of the input (the model's parameters as constants). */
    public static Function<Tensor, Tensor> logits(Model model) {
        List<Tensor> params = new ArrayList<>();
        for (INDArray p : model.parameters()) {
            params.add(Tensor.constant(p));
        }
        return v -> model.forward(v, params);
    }

    /** {@code "(N, C, H, W)"} of a batch of {@code n}. */
    public String inputText(Size size, long n) {
        StringBuilder b = new StringBuilder("(").append(n);
        for (long d : architecture(size).inputShape()) {
            b.append(", ").append(d);
        }
        return b.append(')').toString();
    }
}
