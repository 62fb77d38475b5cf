package dev.jacflux.model;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.LayerException;
import dev.jacflux.model.layers.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A model architecture: the shape of one input sample (no batch axis) and a stack of layers
 * applied in order. Construction checks that every layer's configuration is valid and that the
 * shapes chain from one layer to the next, and fixes the parameter layout: layers in order, and
 * within a layer its parameters in PyTorch {@code state_dict} order, named
 * {@code <layer name>.<key>} and each flattened row-major. This layout fixes the columns of the
 * {@code N x M} per-sample gradient matrix.
 *
 * <pre>{@code
 * Sequential mlp = Sequential.of(new long[] {784},
 *         Linear.of("fc1", 784, 256), new Tanh(),
 *         Linear.of("fc2", 256, 128), new Tanh(),
 *         Linear.of("fc3", 128, 10));
 * mlp.outputShape();                 // [10]
 * mlp.parameterLayout().size();      // 235146
 * mlp.parameterLayout().names();     // [fc1.weight, fc1.bias, fc2.weight, ...]
 * }</pre>
 */
public final class Sequential {
    private final long[] inputShape;
    private final List<Layer> layers;
    private final List<long[]> shapes;
    private final int[] paramStart;
    private final int[] bufferStart;
    private final ParameterLayout layout;
    private final List<String> bufferNames;
    private final List<long[]> bufferShapes;

    /**
     * @param inputShape the shape of one sample (without the batch axis)
     * @param layers the layers, at least one
     * @throws ModelException naming the layer ({@code layers[i] 'name' (type)}) and field when a
     *     layer is invalid, two layers share a name, or shapes do not chain
     */
    public Sequential(long[] inputShape, List<Layer> layers) {
        if (inputShape == null) {
            throw new ModelException("input_shape is missing");
        }
        for (long d : inputShape) {
            if (d <= 0) {
                throw new ModelException("input_shape must hold positive sizes (without the batch axis), got " + Shapes.str(inputShape));
            }
        }
        if (layers == null || layers.isEmpty()) {
            throw new ModelException("a model needs at least one layer");
        }
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        this.shapes = new ArrayList<>();
        this.paramStart = new int[this.layers.size() + 1];
        this.bufferStart = new int[this.layers.size() + 1];
        List<String> names = new ArrayList<>();
        List<long[]> pshapes = new ArrayList<>();
        List<String> bnames = new ArrayList<>();
        List<long[]> bshapes = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        long[] shape = this.inputShape;
        shapes.add(shape);
        for (int i = 0; i < this.layers.size(); i++) {
            Layer layer = this.layers.get(i);
            if (layer == null) {
                throw new ModelException("layers[" + i + "] is null");
            }
            if (layer.name() != null) {
                Integer prev = seen.put(layer.name(), i);
                if (prev != null) {
                    throw new ModelException(describe(i) + ", field 'name': the name '" + layer.name() + "' is already used by "
                            + describe(prev) + "; layer names must be unique");
                }
            }
            try {
                shape = layer.outputShape(shape);
            } catch (LayerException e) {
                throw new ModelException(describe(i) + (e.field() == null ? "" : ", field '" + e.field() + "'") + ": the shape does not chain: "
                        + "its per-sample input is " + Shapes.str(shapes.get(i)) + " (" + (i == 0 ? "the model's input_shape"
                        : "the output of " + describe(i - 1)) + "); " + e.detail(), e);
            }
            shapes.add(shape);
            paramStart[i] = names.size();
            bufferStart[i] = bnames.size();
            for (TensorSpec p : layer.parameters()) {
                names.add(p.qualified(layer.name()));
                pshapes.add(p.shape());
            }
            for (TensorSpec b : layer.buffers()) {
                bnames.add(b.qualified(layer.name()));
                bshapes.add(b.shape());
            }
        }
        paramStart[this.layers.size()] = names.size();
        bufferStart[this.layers.size()] = bnames.size();
        this.layout = ParameterLayout.of(names, pshapes);
        this.bufferNames = List.copyOf(bnames);
        this.bufferShapes = List.copyOf(bshapes);
    }

    /** A stack of {@code layers} on samples of {@code inputShape}. */
    public static Sequential of(long[] inputShape, Layer... layers) {
        return new Sequential(inputShape, Arrays.asList(layers));
    }

    /** The shape of one input sample (a copy). */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** The shape of one output sample. */
    public long[] outputShape() {
        return shapes.get(layers.size()).clone();
    }

    /** The per-sample input shape of layer {@code i} ({@code i = size()} gives the model's output shape). */
    public long[] shapeBefore(int i) {
        return shapes.get(i).clone();
    }

    /** The layers. */
    public List<Layer> layers() {
        return layers;
    }

    /** Number of layers. */
    public int size() {
        return layers.size();
    }

    /** Layer {@code i}. */
    public Layer layer(int i) {
        return layers.get(i);
    }

    /** {@code "layers[4] 'fc' (linear)"}: how messages refer to layer {@code i}. */
    public String describe(int i) {
        Layer l = layers.get(i);
        return "layers[" + i + "]" + (l.name() == null ? "" : " '" + l.name() + "'") + " (" + l.type() + ")";
    }

    /** The parameter layout (names, shapes, columns of the per-sample gradient matrix). */
    public ParameterLayout parameterLayout() {
        return layout;
    }

    /** Index (in {@link #parameterLayout()}) of the first parameter of layer {@code i}. */
    public int firstParameter(int i) {
        return paramStart[i];
    }

    /** Number of parameters (tensors) of layer {@code i}. */
    public int parameterCount(int i) {
        return paramStart[i + 1] - paramStart[i];
    }

    /** Names of the buffers ({@code <layer>.running_mean}, ...) in order. */
    public List<String> bufferNames() {
        return bufferNames;
    }

    /** Shapes of the buffers in order (copies). */
    public List<long[]> bufferShapes() {
        List<long[]> out = new ArrayList<>();
        for (long[] s : bufferShapes) {
            out.add(s.clone());
        }
        return out;
    }

    /** Index of the first buffer of layer {@code i}. */
    public int firstBuffer(int i) {
        return bufferStart[i];
    }

    /** Number of buffers of layer {@code i}. */
    public int bufferCount(int i) {
        return bufferStart[i + 1] - bufferStart[i];
    }

    /** The first layer that couples samples (batch norm in training form), if any. */
    public OptionalInt couplingLayer() {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).couplesSamples()) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** The same architecture with every layer in inference form (running statistics, no dropout). */
    public Sequential inferenceForm() {
        List<Layer> out = new ArrayList<>();
        for (Layer l : layers) {
            out.add(l.inferenceForm());
        }
        return new Sequential(inputShape, out);
    }

    /**
     * The forward pass on a batch {@code x [n, *inputShape]}.
     *
     * @param params the parameters in layout order
     * @param buffers the buffers in {@link #bufferNames()} order
     */
    public Tensor forward(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        List<Tensor> acts = activations(x, params, buffers);
        return acts.get(acts.size() - 1);
    }

    /**
     * The input and every layer's output: entry {@code 0} is {@code x}, entry {@code i + 1} the
     * output of layer {@code i}.
     */
    public List<Tensor> activations(Tensor x, List<Tensor> params, List<Tensor> buffers) {
        checkInput(x.shape());
        if (params.size() != layout.count()) {
            throw new ModelException("forward: expected " + layout.count() + " parameters " + layout.names() + ", got " + params.size());
        }
        if (buffers.size() != bufferNames.size()) {
            throw new ModelException("forward: expected " + bufferNames.size() + " buffers " + bufferNames + ", got " + buffers.size());
        }
        List<Tensor> acts = new ArrayList<>(layers.size() + 1);
        Tensor h = x;
        acts.add(h);
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h, params.subList(paramStart[i], paramStart[i + 1]), buffers.subList(bufferStart[i], bufferStart[i + 1]));
            acts.add(h);
        }
        return acts;
    }

    /** Checks that {@code shape} is {@code [n, *inputShape]} with {@code n >= 1}. */
    public void checkInput(long[] shape) {
        if (shape.length != inputShape.length + 1 || shape[0] < 1
                || !Arrays.equals(Shapes.range(shape, 1, shape.length), inputShape)) {
            throw new ModelException("model input: expected a batch [n, " + Shapes.str(inputShape).substring(1)
                    + " (n >= 1 samples of input_shape " + Shapes.str(inputShape) + "), got " + Shapes.str(shape));
        }
    }

    /**
     * This model as a per-sample function of its parameters: {@code (x, targets, params) ->}
     * outputs {@code [n, *outputShape]} (targets are ignored).
     *
     * @param buffers the buffers (constants) in {@link #bufferNames()} order
     */
    public PerSampleFunction asFunction(List<Tensor> buffers) {
        List<Tensor> b = List.copyOf(buffers);
        return (x, targets, params) -> forward(x, params, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sequential s && Arrays.equals(s.inputShape, inputShape) && s.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputShape) + layers.hashCode();
    }

    @Override
    public String toString() {
        return "Sequential" + Shapes.str(inputShape) + " " + layers;
    }
}
