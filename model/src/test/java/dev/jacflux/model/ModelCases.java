package dev.jacflux.model;

import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Size2d;
import dev.jacflux.model.layers.Dropout;
import dev.jacflux.model.layers.Elu;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Gelu;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.LayerNorm;
import dev.jacflux.model.layers.LeakyRelu;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.LogSoftmax;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Sigmoid;
import dev.jacflux.model.layers.Softmax;
import dev.jacflux.model.layers.Softplus;
import dev.jacflux.model.layers.Tanh;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One small float64 model per layer type, with a batch, targets and a loss. */
public final class ModelCases {
    static final int N = 5;

    private ModelCases() {
    }

    /**
     * A model, a batch and a loss.
     *
     * @param name the case name (the layer type it exercises)
     */
    public record Case(String name, Model model, INDArray x, INDArray targets, Loss loss) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case classifier(String name, long[] inputShape, long seed, Layer... layers) {
        Sequential arch = Sequential.of(inputShape, layers);
        Model m = Fixtures.randomModel(arch, seed);
        long[] xs = new long[inputShape.length + 1];
        xs[0] = N;
        System.arraycopy(inputShape, 0, xs, 1, inputShape.length);
        int classes = (int) arch.outputShape()[0];
        return new Case(name, m, Fixtures.normal(seed + 100, xs), Fixtures.labels(seed + 200, N, classes), Loss.crossEntropy());
    }

    private static Case regression(String name, long[] inputShape, long seed, Layer... layers) {
        Sequential arch = Sequential.of(inputShape, layers);
        Model m = Fixtures.randomModel(arch, seed);
        long[] xs = new long[inputShape.length + 1];
        xs[0] = N;
        System.arraycopy(inputShape, 0, xs, 1, inputShape.length);
        long[] ys = new long[arch.outputShape().length + 1];
        ys[0] = N;
        System.arraycopy(arch.outputShape(), 0, ys, 1, ys.length - 1);
        return new Case(name, m, Fixtures.normal(seed + 100, xs), Fixtures.normal(seed + 300, ys), Loss.mse());
    }

    /** Every layer type that needs no convolution op. */
    public static List<Case> dense() {
        List<Case> c = new ArrayList<>();
        long[] v4 = {4};
        c.add(classifier("linear", v4, 1, Linear.of("fc", 4, 3)));
        c.add(regression("linear (no bias, mse)", v4, 2, new Linear("fc", 4, 3, false)));
        c.add(regression("linear on [T, in] samples", new long[] {3, 4}, 3, Linear.of("fc1", 4, 5), new Tanh(), Linear.of("fc2", 5, 2)));
        c.add(classifier("relu", v4, 4, Linear.of("fc1", 4, 6), new Relu(), Linear.of("fc2", 6, 3)));
        c.add(classifier("leaky_relu", v4, 5, Linear.of("fc1", 4, 6), new LeakyRelu(null, 0.2), Linear.of("fc2", 6, 3)));
        c.add(classifier("tanh", v4, 6, Linear.of("fc1", 4, 6), new Tanh(), Linear.of("fc2", 6, 3)));
        c.add(classifier("sigmoid", v4, 7, Linear.of("fc1", 4, 6), new Sigmoid(), Linear.of("fc2", 6, 3)));
        c.add(classifier("softplus", v4, 8, Linear.of("fc1", 4, 6), new Softplus(null, 2.0), Linear.of("fc2", 6, 3)));
        c.add(classifier("gelu", v4, 9, Linear.of("fc1", 4, 6), new Gelu(), Linear.of("fc2", 6, 3)));
        c.add(classifier("gelu (tanh)", v4, 10, Linear.of("fc1", 4, 6), new Gelu(null, "tanh"), Linear.of("fc2", 6, 3)));
        c.add(classifier("elu", v4, 11, Linear.of("fc1", 4, 6), new Elu(null, 0.7), Linear.of("fc2", 6, 3)));
        c.add(classifier("flatten", new long[] {2, 3}, 12, new Flatten(), Linear.of("fc", 6, 3)));
        c.add(classifier("layer_norm", v4, 13, Linear.of("fc1", 4, 6), LayerNorm.of("ln", 6), new Tanh(), Linear.of("fc2", 6, 3)));
        c.add(classifier("batch_norm2d", new long[] {2, 2, 3}, 14, BatchNorm2d.of("bn", 2), new Flatten(), Linear.of("fc", 12, 3)));
        c.add(classifier("dropout (inference)", v4, 15, Linear.of("fc1", 4, 6), new Tanh(), Dropout.of(0.5), Linear.of("fc2", 6, 3)));
        c.add(regression("softmax", v4, 16, Linear.of("fc", 4, 3), new Softmax()));
        c.add(classifier("log_softmax", v4, 17, Linear.of("fc1", 4, 6), new Tanh(), Linear.of("fc2", 6, 3), new LogSoftmax()));
        return c;
    }

    /** The convolution and pooling layers. */
    public static List<Case> conv() {
        List<Case> c = new ArrayList<>();
        long[] img = {2, 5, 5};
        c.add(classifier("conv2d", img, 41, Conv2d.of("conv", 2, 3, 3), new Tanh(), new Flatten(), Linear.of("fc", 27, 3)));
        c.add(classifier("conv2d (stride, padding, dilation, no bias)", new long[] {2, 6, 6}, 42,
                new Conv2d("conv", 2, 3, Size2d.of(3, 2), Size2d.of(2, 1), Size2d.of(1, 0), Size2d.of(1, 2), false), new Tanh(),
                new Flatten(), Linear.of("fc", 36, 3)));
        c.add(classifier("maxpool2d", img, 43, new Conv2d("conv", 2, 3, Size2d.square(3), Size2d.square(1), Size2d.square(1),
                Size2d.square(1), true), MaxPool2d.of(2), new Flatten(), Linear.of("fc", 12, 3)));
        c.add(classifier("avgpool2d", img, 44, Conv2d.of("conv", 2, 3, 2),
                new AvgPool2d(null, Size2d.square(2), Size2d.square(1), Size2d.square(1)), new Flatten(), Linear.of("fc", 75, 3)));
        c.add(classifier("conv2d + batch_norm2d", img, 45, Conv2d.of("conv", 2, 3, 3), BatchNorm2d.of("bn", 3), new Relu(),
                new Flatten(), Linear.of("fc", 27, 3)));
        return c;
    }

    /** Every case. */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>(dense());
        c.addAll(conv());
        return c;
    }
}
