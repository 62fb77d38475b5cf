package dev.jacflux.model;

import dev.jacflux.autodiff.GradMode;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.ParameterLayout;
import dev.jacflux.autodiff.transforms.PerSampleFunction;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable model: an architecture ({@link Sequential}), its parameter arrays in layout order
 * and its buffers (running statistics), all of one dtype (FLOAT or DOUBLE). Training steps return
 * new models ({@link #withParameters}); the arrays held here must not be mutated.
 *
 * <pre>{@code
 * Model m = Model.initialize(mlp, DataType.FLOAT, 42L);          // PyTorch's default initialisation
 * INDArray logits = m.forward(x);                                // [n, 10], no graph recorded
 * Model m64 = m.withDtype(DataType.DOUBLE);
 * Map<String, INDArray> sd = m.stateDict();                      // fc1.weight, fc1.bias, ...
 * Model same = Model.fromStateDict(mlp, sd, DataType.FLOAT);
 * }</pre>
 */
public final class Model {
    private final Sequential architecture;
    private final List<INDArray> parameters;
    private final List<INDArray> buffers;
    private final DataType dtype;

    private Model(Sequential architecture, List<INDArray> parameters, List<INDArray> buffers, DataType dtype) {
        this.architecture = architecture;
        this.parameters = List.copyOf(parameters);
        this.buffers = List.copyOf(buffers);
        this.dtype = dtype;
    }

    /**
     * A model from arrays in layout order (copied).
     *
     * @throws ModelException if counts, shapes or dtypes do not fit the architecture
     */
    public static Model of(Sequential architecture, List<INDArray> parameters, List<INDArray> buffers) {
        DataType dtype = parameters.isEmpty() ? (buffers.isEmpty() ? DataType.FLOAT : buffers.get(0).dataType())
                : parameters.get(0).dataType();
        check(architecture, parameters, buffers, dtype);
        return new Model(architecture, copies(parameters), copies(buffers), dtype);
    }

    /** A model of an architecture without parameters or buffers, in the given dtype. */
    public static Model of(Sequential architecture, DataType dtype) {
        requireFloating(dtype);
        check(architecture, List.of(), List.of(), dtype);
        return new Model(architecture, List.of(), List.of(), dtype);
    }

    private static List<INDArray> copies(List<INDArray> arrays) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray a : arrays) {
            out.add(a.dup('c'));
        }
        return out;
    }

    private static void check(Sequential a, List<INDArray> params, List<INDArray> buffers, DataType dtype) {
        requireFloating(dtype);
        ParameterLayout layout = a.parameterLayout();
        if (params.size() != layout.count()) {
            throw new ModelException("model: expected " + layout.count() + " parameters " + layout.names() + ", got " + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            checkArray("parameter", layout.names().get(i), layout.shapes().get(i), params.get(i), dtype);
        }
        if (buffers.size() != a.bufferNames().size()) {
            throw new ModelException("model: expected " + a.bufferNames().size() + " buffers " + a.bufferNames() + ", got " + buffers.size());
        }
        List<long[]> bshapes = a.bufferShapes();
        for (int i = 0; i < buffers.size(); i++) {
            checkArray("buffer", a.bufferNames().get(i), bshapes.get(i), buffers.get(i), dtype);
        }
    }

    private static void checkArray(String what, String name, long[] shape, INDArray a, DataType dtype) {
        if (a == null) {
            throw new ModelException("model: " + what + " '" + name + "' is null");
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new ModelException("model: " + what + " '" + name + "' has shape " + Shapes.str(a.shape()) + ", expected " + Shapes.str(shape));
        }
        if (a.dataType() != dtype) {
            throw new ModelException("model: " + what + " '" + name + "' has dtype " + a.dataType() + " but the model's dtype is " + dtype
                    + "; all arrays of a model share one dtype");
        }
    }

    private static void requireFloating(DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new ModelException("model: dtype must be FLOAT (float32) or DOUBLE (float64), got " + dtype);
        }
    }

    /**
     * A model from a PyTorch-style state dict ({@code <layer>.<key>} to array), converted to
     * {@code dtype}. Keys ending in {@code .num_batches_tracked} are ignored; any other key that no
     * layer uses is an error, as with PyTorch's strict {@code load_state_dict}.
     *
     * @throws ModelException naming the layer and field of a missing or misshapen tensor
     */
    public static Model fromStateDict(Sequential architecture, Map<String, INDArray> stateDict, DataType dtype) {
        return fromStateDict(architecture, stateDict, dtype, "the state dict");
    }

    /**
     * As {@link #fromStateDict(Sequential, Map, DataType)}, naming {@code source} (e.g. the
     * weights file) in error messages.
     */
    public static Model fromStateDict(Sequential architecture, Map<String, INDArray> stateDict, DataType dtype, String source) {
        requireFloating(dtype);
        List<INDArray> params = new ArrayList<>();
        List<INDArray> buffers = new ArrayList<>();
        TreeSet<String> unused = new TreeSet<>(stateDict.keySet());
        for (int i = 0; i < architecture.size(); i++) {
            Layer layer = architecture.layer(i);
            for (TensorSpec spec : layer.parameters()) {
                params.add(lookup(architecture, i, spec, stateDict, dtype, source, unused));
            }
            for (TensorSpec spec : layer.buffers()) {
                buffers.add(lookup(architecture, i, spec, stateDict, dtype, source, unused));
            }
            if (layer instanceof BatchNorm2d) {
                unused.remove(layer.name() + ".num_batches_tracked");
            }
        }
        unused.removeIf(k -> k.endsWith(".num_batches_tracked"));
        if (!unused.isEmpty()) {
            throw new ModelException("unexpected tensor(s) " + unused + " in " + source + " that no layer uses; the model's tensors are "
                    + architecture.parameterLayout().names() + (architecture.bufferNames().isEmpty() ? "" : " and buffers " + architecture.bufferNames()));
        }
        return new Model(architecture, params, buffers, dtype);
    }

    private static INDArray lookup(Sequential a, int i, TensorSpec spec, Map<String, INDArray> sd, DataType dtype, String source,
            java.util.Set<String> unused) {
        String key = spec.qualified(a.layer(i).name());
        INDArray arr = sd.get(key);
        String where = a.describe(i) + ", field '" + spec.key() + "'";
        if (arr == null) {
            throw new ModelException(where + ": tensor '" + key + "' (shape " + Shapes.str(spec.shape()) + ") is missing from " + source);
        }
        unused.remove(key);
        if (!Arrays.equals(arr.shape(), spec.shape())) {
            throw new ModelException(where + ": tensor '" + key + "' in " + source + " has shape " + Shapes.str(arr.shape())
                    + ", expected " + Shapes.str(spec.shape()));
        }
        if (arr.dataType() != DataType.FLOAT && arr.dataType() != DataType.DOUBLE) {
            throw new ModelException(where + ": tensor '" + key + "' in " + source + " has dtype " + arr.dataType()
                    + ", expected float32 or float64");
        }
        return arr.dataType() == dtype ? arr.dup('c') : arr.castTo(dtype).dup('c');
    }

    /**
     * A model with PyTorch's default initialisation, drawn from {@code new Random(seed)}: linear and
     * conv weights and biases uniform in {@code +-1/sqrt(fan_in)}; layer/batch norm weights 1,
     * biases 0; running mean 0 and running variance 1.
     */
    public static Model initialize(Sequential architecture, DataType dtype, long seed) {
        requireFloating(dtype);
        Random rnd = new Random(seed);
        List<INDArray> params = new ArrayList<>();
        List<INDArray> buffers = new ArrayList<>();
        for (Layer layer : architecture.layers()) {
            double bound = 0;
            if (layer instanceof Linear l) {
                bound = 1.0 / Math.sqrt(l.inFeatures());
            } else if (layer instanceof Conv2d c) {
                bound = 1.0 / Math.sqrt((double) c.inChannels() * c.kernelSize().h() * c.kernelSize().w());
            }
            for (TensorSpec spec : layer.parameters()) {
                long[] shape = spec.shape();
                if (bound > 0) {
                    double[] v = new double[Math.toIntExact(Shapes.numel(shape))];
                    for (int k = 0; k < v.length; k++) {
                        v[k] = (2 * rnd.nextDouble() - 1) * bound;
                    }
                    params.add(Nd4j.create(v, shape, dtype));
                } else {
                    params.add(spec.key().equals("weight") ? Nd4j.ones(dtype, shape) : Nd4j.zeros(dtype, shape));
                }
            }
            for (TensorSpec spec : layer.buffers()) {
                buffers.add(spec.key().equals("running_var") ? Nd4j.ones(dtype, spec.shape()) : Nd4j.zeros(dtype, spec.shape()));
            }
        }
        return new Model(architecture, params, buffers, dtype);
    }

    /** The architecture. */
    public Sequential architecture() {
        return architecture;
    }

    /** The parameter arrays in layout order (do not mutate). */
    public List<INDArray> parameters() {
        return parameters;
    }

    /** The buffers in {@link Sequential#bufferNames()} order (do not mutate). */
    public List<INDArray> buffers() {
        return buffers;
    }

    /** FLOAT or DOUBLE. */
    public DataType dtype() {
        return dtype;
    }

    /** The parameter layout (the columns of per-sample gradient matrices). */
    public ParameterLayout layout() {
        return architecture.parameterLayout();
    }

    /** The total number of parameter entries {@code M}. */
    public long parameterCount() {
        return layout().size();
    }

    /** The named parameter (e.g. {@code "fc.weight"}). */
    public INDArray parameter(String name) {
        return parameters.get(layout().indexOf(name));
    }

    /** The named buffer (e.g. {@code "bn1.running_mean"}). */
    public INDArray buffer(String name) {
        int i = architecture.bufferNames().indexOf(name);
        if (i < 0) {
            throw new ModelException("no buffer named '" + name + "'; buffers are " + architecture.bufferNames());
        }
        return buffers.get(i);
    }

    /** Parameters and buffers by PyTorch {@code state_dict} key, in {@code state_dict} order. */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> sd = new LinkedHashMap<>();
        for (int i = 0; i < architecture.size(); i++) {
            Layer layer = architecture.layer(i);
            int p = architecture.firstParameter(i);
            for (TensorSpec spec : layer.parameters()) {
                sd.put(spec.qualified(layer.name()), parameters.get(p++));
            }
            int b = architecture.firstBuffer(i);
            for (TensorSpec spec : layer.buffers()) {
                sd.put(spec.qualified(layer.name()), buffers.get(b++));
            }
        }
        return sd;
    }

    /** The same model with new parameter arrays (layout order, this model's dtype; copied). */
    public Model withParameters(List<INDArray> newParameters) {
        check(architecture, newParameters, buffers, dtype);
        return new Model(architecture, copies(newParameters), buffers, dtype);
    }

    /** Package-private: adopts freshly computed arrays without copying. */
    Model withOwnedParameters(List<INDArray> newParameters) {
        check(architecture, newParameters, buffers, dtype);
        return new Model(architecture, newParameters, buffers, dtype);
    }

    /** The same model converted to {@code target} (FLOAT or DOUBLE). */
    public Model withDtype(DataType target) {
        requireFloating(target);
        if (target == dtype) {
            return this;
        }
        List<INDArray> p = new ArrayList<>();
        for (INDArray a : parameters) {
            p.add(a.castTo(target));
        }
        List<INDArray> b = new ArrayList<>();
        for (INDArray a : buffers) {
            b.add(a.castTo(target));
        }
        return new Model(architecture, p, b, target);
    }

    /** The same weights with every layer in inference form (batch norm on running statistics, dropout off). */
    public Model inferenceForm() {
        return new Model(architecture.inferenceForm(), parameters, buffers, dtype);
    }

    /** The same weights with another architecture of the same parameter and buffer layout. */
    public Model withArchitecture(Sequential other) {
        check(other, parameters, buffers, dtype);
        return new Model(other, parameters, buffers, dtype);
    }

    /** The parameters flattened into one vector {@code [M]} in layout order. */
    public INDArray parameterVector() {
        if (parameterCount() == 0) {
            return Nd4j.create(dtype, 0);
        }
        INDArray v = Nd4j.createUninitialized(dtype, parameterCount());
        ParameterLayout layout = layout();
        for (int i = 0; i < parameters.size(); i++) {
            v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(layout.offset(i), layout.offset(i) + layout.numel(i)))
                    .assign(parameters.get(i).reshape('c', new long[] {layout.numel(i)}));
        }
        return v;
    }

    /** Inference on a batch {@code x [n, *inputShape]} (converted to this model's dtype); no graph is recorded. */
    public INDArray forward(INDArray x) {
        INDArray in = x.dataType() == dtype ? x : x.castTo(dtype);
        try (GradMode.Scope off = GradMode.disable()) {
            return architecture.forward(Tensor.constant(in), constants(parameters), bufferTensors()).value();
        }
    }

    /** The forward pass with the given parameter tensors (e.g. watched variables) and this model's buffers. */
    public Tensor forward(Tensor x, List<Tensor> params) {
        return architecture.forward(x, params, bufferTensors());
    }

    /** The buffers as constants. */
    public List<Tensor> bufferTensors() {
        return constants(buffers);
    }

    private static List<Tensor> constants(List<INDArray> arrays) {
        List<Tensor> out = new ArrayList<>(arrays.size());
        for (INDArray a : arrays) {
            out.add(Tensor.constant(a));
        }
        return out;
    }

    /** The model as a per-sample function of its parameters (outputs {@code [n, *outputShape]}). */
    public PerSampleFunction asFunction() {
        return architecture.asFunction(bufferTensors());
    }

    /** The per-sample loss of the model's outputs as a per-sample function of its parameters ({@code [n]}). */
    public PerSampleFunction lossFunction(Loss loss) {
        List<Tensor> b = bufferTensors();
        return (x, targets, params) -> loss.apply(architecture.forward(x, params, b), targets);
    }

    @Override
    public String toString() {
        return "Model(" + dtype + ", " + parameterCount() + " parameters) " + architecture;
    }
}
