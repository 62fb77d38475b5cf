package dev.jacflux.model;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Size2d;
import dev.jacflux.model.layers.Dropout;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Gelu;
import dev.jacflux.model.layers.LayerException;
import dev.jacflux.model.layers.LayerNorm;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Softplus;
import dev.jacflux.model.layers.Tanh;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Architecture validation, the parameter layout, models, and forward values of the layers. */
class SequentialTest {

    @Test
    void layoutFollowsLayersThenWeightThenBias() {
        Sequential s = Sequential.of(new long[] {2, 2, 3}, BatchNorm2d.of("bn", 2), new Flatten(), Linear.of("fc1", 12, 5), new Tanh(),
                LayerNorm.of("ln", 5), new Linear("fc2", 5, 3, false));
        assertEquals(List.of("bn.weight", "bn.bias", "fc1.weight", "fc1.bias", "ln.weight", "ln.bias", "fc2.weight"), s.parameterLayout().names());
        assertEquals(List.of("bn.running_mean", "bn.running_var"), s.bufferNames());
        assertEquals(2 + 2 + 60 + 5 + 5 + 5 + 15, s.parameterLayout().size());
        assertArrayEquals(new long[] {3}, s.outputShape());
        assertEquals(2, s.firstParameter(2));
        assertEquals(0, s.parameterCount(3));
    }

    @Test
    void mlpOfTheBenchmarkHas235146Parameters() {
        Sequential mlp = Sequential.of(new long[] {784}, Linear.of("fc1", 784, 256), new Tanh(), Linear.of("fc2", 256, 128), new Tanh(),
                Linear.of("fc3", 128, 10));
        assertEquals(235146, mlp.parameterLayout().size());
    }

    @Test
    void shapesThatDoNotChainAreRefusedWithLayerAndField() {
        ModelException e = assertThrows(ModelException.class, () -> Sequential.of(new long[] {2, 3}, new Flatten(), Linear.of("fc", 5, 3)));
        String m = e.getMessage();
        assertTrue(m.contains("layers[1] 'fc' (linear), field 'in_features'") && m.contains("[6]") && m.contains("layers[0] (flatten)")
                && m.contains("in_features 5"), m);
        ModelException dup = assertThrows(ModelException.class, () -> Sequential.of(new long[] {4}, Linear.of("fc", 4, 4), Linear.of("fc", 4, 2)));
        assertTrue(dup.getMessage().contains("layers[1] 'fc' (linear), field 'name'") && dup.getMessage().contains("layers[0]"), dup.getMessage());
        LayerException noName = assertThrows(LayerException.class, () -> Linear.of(null, 4, 4));
        assertEquals("name", noName.field());
        LayerException ln = assertThrows(LayerException.class, () -> LayerNorm.of("ln", 4).outputShape(new long[] {3, 5}));
        assertEquals("normalized_shape", ln.field());
        ModelException bn = assertThrows(ModelException.class, () -> Sequential.of(new long[] {3, 4, 4}, BatchNorm2d.of("bn", 2)));
        assertTrue(bn.getMessage().contains("field 'num_features'") && bn.getMessage().contains("[3, 4, 4]"), bn.getMessage());
        ModelException input = assertThrows(ModelException.class,
                () -> Model.initialize(Sequential.of(new long[] {4}, Linear.of("fc", 4, 2)), DataType.DOUBLE, 1).forward(Nd4j.zeros(3, 5)));
        assertTrue(input.getMessage().contains("[n, 4]") && input.getMessage().contains("[3, 5]"), input.getMessage());
    }

    @Test
    void flattenFollowsPyTorchDims() {
        assertArrayEquals(new long[] {24}, new Flatten().outputShape(new long[] {2, 3, 4}));
        assertArrayEquals(new long[] {2, 12}, new Flatten(null, 2, -1).outputShape(new long[] {2, 3, 4}));
        assertArrayEquals(new long[] {6, 4}, new Flatten(null, 1, 2).outputShape(new long[] {2, 3, 4}));
        assertThrows(LayerException.class, () -> new Flatten(null, 0, -1));
        assertThrows(LayerException.class, () -> new Flatten(null, 3, 2).outputShape(new long[] {2, 3, 4}));
    }

    @Test
    void forwardValuesMatchHandComputedReferences() {
        INDArray x = Fixtures.normal(1, 3, 4);
        Sequential s = Sequential.of(new long[] {4}, Linear.of("fc", 4, 2));
        Model m = Fixtures.randomModel(s, 2);
        INDArray w = m.parameter("fc.weight");
        INDArray b = m.parameter("fc.bias");
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 3, 2);
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 2; o++) {
                double v = b.getDouble(o);
                for (int k = 0; k < 4; k++) {
                    v += x.getDouble(i, k) * w.getDouble(o, k);
                }
                expected.putScalar(i, o, v);
            }
        }
        assertClose("linear", expected, m.forward(x));
        Tensor t = Tensor.constant(x);
        double c = Math.sqrt(2 / Math.PI);
        INDArray geluTanh = x.mul(0.5).mul(Transforms.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(c)).add(1.0));
        assertClose("gelu tanh", geluTanh, new Gelu(null, "tanh").forward(t, List.of()).value());
        assertClose("softplus beta", Transforms.log(Transforms.exp(x.mul(3.0)).add(1.0)).div(3.0), new Softplus(null, 3.0).forward(t, List.of()).value());
        INDArray relu = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                relu.putScalar(i, k, Math.max(0.0, x.getDouble(i, k)));
            }
        }
        assertClose("relu", relu, new Relu().forward(t, List.of()).value());
        assertTrue(new Dropout(null, 0.5, false, 1).forward(t, List.of()) == t, "inference dropout is the identity");
    }

    @Test
    void trainingDropoutZeroesAboutPAndScalesTheRestByOneOverOneMinusP() {
        INDArray x = Fixtures.uniform(7, 0.5, 1.5, 40, 50);   // no zeros of its own
        Tensor t = Tensor.constant(x);
        for (double p : new double[] {0.25, 0.5}) {
            INDArray dropped = new Dropout(null, p, true, 1).forward(t, List.of()).value();
            int zeros = 0;
            for (long i = 0; i < x.length(); i++) {
                double d = dropped.getDouble(i);
                if (d == 0) {
                    zeros++;
                } else {
                    assertEquals(x.getDouble(i) / (1 - p), d, 1e-12, "kept element " + i + " is scaled by 1/(1-p)");
                }
            }
            // 2000 Bernoulli(p) draws: the dropped fraction lies within 5 standard deviations of p
            double sd = Math.sqrt(p * (1 - p) / x.length());
            assertEquals(p, zeros / (double) x.length(), 5 * sd, "dropped fraction for p = " + p);
            assertClose("same seed, same mask", dropped, new Dropout(null, p, true, 1).forward(t, List.of()).value(), 0, 0);
            assertTrue(!dropped.equals(new Dropout(null, p, true, 2).forward(t, List.of()).value()), "another seed, another mask");
        }
    }

    /** Plain-loop cross-correlation / pooling over a zero- or -inf-padded input (PyTorch semantics). */
    private static double window(INDArray x, int n, int ch, int oy, int ox, Size2d k, Size2d s, Size2d p, Size2d d, String kind,
            INDArray w, int o) {
        double acc = kind.equals("max") ? Double.NEGATIVE_INFINITY : 0;
        for (int i = 0; i < k.h(); i++) {
            for (int j = 0; j < k.w(); j++) {
                int y = oy * s.h() - p.h() + i * d.h();
                int xx = ox * s.w() - p.w() + j * d.w();
                boolean inside = y >= 0 && y < x.size(2) && xx >= 0 && xx < x.size(3);
                double v = inside ? x.getDouble(n, ch, y, xx) : kind.equals("max") ? Double.NEGATIVE_INFINITY : 0;
                switch (kind) {
                    case "max" -> acc = Math.max(acc, v);
                    case "avg" -> acc += v / (k.h() * k.w());
                    default -> acc += v * w.getDouble(o, ch, i, j);
                }
            }
        }
        return acc;
    }

    @Test
    void convAndPoolLayersMatchPlainLoops() {
        Conv2d conv = new Conv2d("conv", 2, 3, Size2d.of(3, 2), Size2d.of(2, 1), Size2d.of(1, 0), Size2d.of(1, 2), true);
        Model m = Fixtures.randomModel(Sequential.of(new long[] {2, 6, 7}, conv), 91);
        INDArray x = Fixtures.normal(92, 2, 2, 6, 7);
        INDArray y = m.forward(x);
        assertArrayEquals(new long[] {2, 3, 3, 5}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 3; o++) {
                for (int oy = 0; oy < 3; oy++) {
                    for (int ox = 0; ox < 5; ox++) {
                        double v = m.parameter("conv.bias").getDouble(o);
                        for (int ch = 0; ch < 2; ch++) {
                            v += window(x, n, ch, oy, ox, conv.kernelSize(), conv.stride(), conv.padding(), conv.dilation(), "conv",
                                    m.parameter("conv.weight"), o);
                        }
                        assertEquals(v, y.getDouble(n, o, oy, ox), 1e-12, "conv at " + n + "," + o + "," + oy + "," + ox);
                    }
                }
            }
        }
        MaxPool2d max = new MaxPool2d(null, Size2d.of(3, 2), Size2d.of(2, 1), Size2d.of(1, 1), Size2d.of(1, 2));
        AvgPool2d avg = new AvgPool2d(null, Size2d.of(3, 2), Size2d.of(2, 1), Size2d.of(1, 1));
        for (dev.jacflux.model.layers.Layer pool : List.of(max, avg)) {
            long[] os = pool.outputShape(new long[] {2, 6, 7});
            INDArray py = pool.forward(Tensor.constant(x), List.of()).value();
            assertArrayEquals(new long[] {2, os[0], os[1], os[2]}, py.shape());
            for (int n = 0; n < 2; n++) {
                for (int ch = 0; ch < 2; ch++) {
                    for (int oy = 0; oy < os[1]; oy++) {
                        for (int ox = 0; ox < os[2]; ox++) {
                            double v = pool == max ? window(x, n, ch, oy, ox, max.kernelSize(), max.stride(), max.padding(), max.dilation(), "max", null, 0)
                                    : window(x, n, ch, oy, ox, avg.kernelSize(), avg.stride(), avg.padding(), Size2d.square(1), "avg", null, 0);
                            assertEquals(v, py.getDouble(n, ch, oy, ox), 1e-12, pool.type() + " at " + n + "," + ch + "," + oy + "," + ox);
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchNormInferenceUsesRunningStatistics() {
        Sequential s = Sequential.of(new long[] {2, 1, 2}, BatchNorm2d.of("bn", 2));
        Model m = Fixtures.randomModel(s, 5);
        INDArray x = Fixtures.normal(6, 3, 2, 1, 2);
        INDArray out = m.forward(x);
        for (int n = 0; n < 3; n++) {
            for (int ch = 0; ch < 2; ch++) {
                for (int j = 0; j < 2; j++) {
                    double v = (x.getDouble(n, ch, 0, j) - m.buffer("bn.running_mean").getDouble(ch))
                            / Math.sqrt(m.buffer("bn.running_var").getDouble(ch) + 1e-5) * m.parameter("bn.weight").getDouble(ch)
                            + m.parameter("bn.bias").getDouble(ch);
                    assertEquals(v, out.getDouble(n, ch, 0, j), 1e-12);
                }
            }
        }
    }

    @Test
    void modelsAreImmutableValues() {
        Sequential s = Sequential.of(new long[] {4}, Linear.of("fc", 4, 2));
        Model m = Model.initialize(s, DataType.FLOAT, 9);
        INDArray w = Nd4j.ones(DataType.FLOAT, 2, 4);
        Model m2 = m.withParameters(List.of(w, Nd4j.zeros(DataType.FLOAT, 2)));
        w.addi(1);
        assertEquals(1.0, m2.parameter("fc.weight").getDouble(0), 0, "withParameters copies");
        Model d = m.withDtype(DataType.DOUBLE);
        assertEquals(DataType.DOUBLE, d.parameter("fc.bias").dataType());
        assertEquals(DataType.FLOAT, m.parameter("fc.bias").dataType());
        Map<String, INDArray> sd = m.stateDict();
        assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(sd.keySet()));
        ModelException wrong = assertThrows(ModelException.class, () -> m.withParameters(List.of(Nd4j.ones(DataType.FLOAT, 4, 2),
                Nd4j.zeros(DataType.FLOAT, 2))));
        assertTrue(wrong.getMessage().contains("fc.weight") && wrong.getMessage().contains("[4, 2]") && wrong.getMessage().contains("[2, 4]"));
        double bound = 1 / Math.sqrt(4);
        assertTrue(Transforms.abs(m.parameter("fc.weight")).maxNumber().doubleValue() <= bound);
    }
}
