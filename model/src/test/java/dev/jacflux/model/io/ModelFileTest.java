package dev.jacflux.model.io;

import static dev.jacflux.model.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.Fixtures;
import dev.jacflux.model.Model;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.Sequential;
import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Dropout;
import dev.jacflux.model.layers.Elu;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Gelu;
import dev.jacflux.model.layers.LayerNorm;
import dev.jacflux.model.layers.LeakyRelu;
import dev.jacflux.model.layers.Linear;
import dev.jacflux.model.layers.LogSoftmax;
import dev.jacflux.model.layers.MaxPool2d;
import dev.jacflux.model.layers.Relu;
import dev.jacflux.model.layers.Sigmoid;
import dev.jacflux.model.layers.Size2d;
import dev.jacflux.model.layers.Softmax;
import dev.jacflux.model.layers.Softplus;
import dev.jacflux.model.layers.Tanh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The jacflux-model/1 format: round trips, PyTorch-style fixtures, and one error per malformed file. */
class ModelFileTest {
    @TempDir
    Path dir;

    /** The example of the format's specification. */
    private static final String EXAMPLE = """
            {
              "format": "jacflux-model/1",
              "input_shape": [3, 8, 8],
              "weights": "weights.npz",
              "layers": [
                {"type": "conv2d", "name": "conv1", "in_channels": 3, "out_channels": 4, "kernel_size": [3, 3],
                 "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "bias": true},
                {"type": "relu"},
                {"type": "maxpool2d", "kernel_size": [2, 2], "stride": [2, 2]},
                {"type": "flatten"},
                {"type": "linear", "name": "fc", "in_features": 64, "out_features": 6, "bias": true},
                {"type": "log_softmax"}
              ]
            }
            """;

    private Path json(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The example's weights as PyTorch would export them, float64, with a num_batches_tracked-like int64 extra. */
    private Map<String, byte[]> exampleWeights() {
        Map<String, byte[]> w = new LinkedHashMap<>();
        w.put("conv1.weight", NpyFixtures.npy("<f8", false, "(4, 3, 3, 3)", NpyFixtures.f64(NpyFixtures.ramp(108, -0.5, 0.01))));
        w.put("conv1.bias", NpyFixtures.npy("<f8", false, "(4,)", NpyFixtures.f64(0.1, 0.2, 0.3, 0.4)));
        w.put("fc.weight", NpyFixtures.npy("<f8", false, "(6, 64)", NpyFixtures.f64(NpyFixtures.ramp(384, 1.0, -0.005))));
        w.put("fc.bias", NpyFixtures.npy("<f8", false, "(6,)", NpyFixtures.f64(1, 2, 3, 4, 5, 6)));
        return w;
    }

    private String message(Path json) {
        return assertThrows(ModelException.class, () -> ModelFile.load(json, DataType.DOUBLE)).getMessage();
    }

    @Test
    void loadsTheSpecificationExampleWithFloat64Weights() throws IOException {
        Path j = json("model.json", EXAMPLE);
        NpyFixtures.npz(dir.resolve("weights.npz"), exampleWeights());
        Model m = ModelFile.load(j, DataType.FLOAT);
        assertEquals(DataType.FLOAT, m.dtype());
        Sequential a = m.architecture();
        assertEquals(6, a.size());
        assertEquals(new Conv2d("conv1", 3, 4, Size2d.square(3), Size2d.square(1), Size2d.square(1), Size2d.square(1), true), a.layer(0));
        assertEquals(new MaxPool2d(null, Size2d.square(2), Size2d.square(2), Size2d.square(0), Size2d.square(1)), a.layer(2));
        assertArrayEquals(new long[] {6}, a.outputShape());
        assertEquals(java.util.List.of("conv1.weight", "conv1.bias", "fc.weight", "fc.bias"), m.layout().names());
        assertEquals(-0.5 + 0.01 * 5, m.parameter("conv1.weight").getDouble(0, 0, 1, 2), 1e-7);
        assertEquals(1.0 - 0.005 * 70, m.parameter("fc.weight").getDouble(1, 6), 1e-7);
        Model m64 = ModelFile.load(j, DataType.DOUBLE);
        assertEquals(-0.5 + 0.01 * 107, m64.parameter("conv1.weight").getDouble(3, 2, 2, 2), 1e-15);
        // the loaded model runs: per-sample gradients of the file's model equal single-sample passes
        INDArray x = Fixtures.normal(5, 3, 3, 8, 8);
        INDArray y = Nd4j.createFromArray(new long[] {0, 5, 2});
        INDArray loop = dev.jacflux.autodiff.transforms.RowLoop.perSampleGradients(m64.lossFunction(dev.jacflux.model.Loss.crossEntropy()),
                x, y, m64.parameters());
        assertClose("per-sample gradients of the loaded model", loop,
                dev.jacflux.model.PerSample.gradients(m64, x, y, dev.jacflux.model.Loss.crossEntropy()).matrix());
        INDArray expected = exampleForwardByLoops(m64, x);
        assertClose("float64 forward of the loaded model", expected, m64.forward(x), 1e-12, 1e-10);
        assertClose("float32 forward of the loaded model", expected, m.forward(x.castTo(DataType.FLOAT)), 1e-5, 1e-5);
    }

    /**
     * The specification example's forward pass in plain loops: conv 3x3 (padding 1) of 3 -> 4
     * channels on 8x8, relu, 2x2 max pool, flatten (C, H, W order), linear 64 -> 6, log-softmax.
     */
    private static INDArray exampleForwardByLoops(Model m, INDArray x) {
        INDArray w = m.parameter("conv1.weight");
        INDArray bc = m.parameter("conv1.bias");
        INDArray fw = m.parameter("fc.weight");
        INDArray fb = m.parameter("fc.bias");
        long n = x.size(0);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, 6);
        for (int b = 0; b < n; b++) {
            double[][][] conv = new double[4][8][8];
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 8; j++) {
                        double v = bc.getDouble(o);
                        for (int c = 0; c < 3; c++) {
                            for (int ki = 0; ki < 3; ki++) {
                                for (int kj = 0; kj < 3; kj++) {
                                    int yi = i + ki - 1;
                                    int xj = j + kj - 1;
                                    if (yi >= 0 && yi < 8 && xj >= 0 && xj < 8) {
                                        v += w.getDouble(o, c, ki, kj) * x.getDouble(b, c, yi, xj);
                                    }
                                }
                            }
                        }
                        conv[o][i][j] = Math.max(0, v);
                    }
                }
            }
            double[] flat = new double[64];
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        flat[o * 16 + i * 4 + j] = Math.max(Math.max(conv[o][2 * i][2 * j], conv[o][2 * i][2 * j + 1]),
                                Math.max(conv[o][2 * i + 1][2 * j], conv[o][2 * i + 1][2 * j + 1]));
                    }
                }
            }
            double[] logits = new double[6];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 6; k++) {
                logits[k] = fb.getDouble(k);
                for (int q = 0; q < 64; q++) {
                    logits[k] += fw.getDouble(k, q) * flat[q];
                }
                max = Math.max(max, logits[k]);
            }
            double sum = 0;
            for (double l : logits) {
                sum += Math.exp(l - max);
            }
            for (int k = 0; k < 6; k++) {
                out.putScalar(b, k, logits[k] - max - Math.log(sum));
            }
        }
        return out;
    }

    @Test
    void ignoresNumBatchesTrackedAndReadsFloat32AndFortranOrder() throws IOException {
        Path j = json("bn.json", """
                {"format": "jacflux-model/1", "input_shape": [2, 3, 3], "weights": "sub/bn.npz",
                 "layers": [{"type": "batch_norm2d", "name": "bn", "num_features": 2, "momentum": 0.1},
                            {"type": "flatten"},
                            {"type": "linear", "name": "fc", "in_features": 18, "out_features": 2}]}
                """);
        Files.createDirectories(dir.resolve("sub"));
        Map<String, byte[]> w = new LinkedHashMap<>();
        w.put("bn.weight", NpyFixtures.npy("<f4", false, "(2,)", NpyFixtures.f32(1.5f, 0.5f)));
        w.put("bn.bias", NpyFixtures.npy("<f4", false, "(2,)", NpyFixtures.f32(0.25f, -0.25f)));
        w.put("bn.running_mean", NpyFixtures.npy("<f8", false, "(2,)", NpyFixtures.f64(0.1, -0.1)));
        w.put("bn.running_var", NpyFixtures.npy("<f8", false, "(2,)", NpyFixtures.f64(2.0, 0.5)));
        w.put("bn.num_batches_tracked", NpyFixtures.npy("<i8", false, "()", NpyFixtures.i64(12)));
        // Fortran order: element (o, i) sits at i * 2 + o
        double[] fortran = new double[36];
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 18; i++) {
                fortran[i * 2 + o] = o * 100 + i;
            }
        }
        w.put("fc.weight", NpyFixtures.npy("<f8", true, "(2, 18)", NpyFixtures.f64(fortran)));
        w.put("fc.bias", NpyFixtures.npy(">f8", false, "(2,)", java.nio.ByteBuffer.allocate(16).putDouble(7).putDouble(8).array()));
        NpyFixtures.npz(dir.resolve("sub/bn.npz"), w);
        Model m = ModelFile.load(j, DataType.DOUBLE);
        assertEquals(java.util.List.of("bn.running_mean", "bn.running_var"), m.architecture().bufferNames());
        assertEquals(1.5, m.parameter("bn.weight").getDouble(0), 0);
        assertEquals(0.5, m.buffer("bn.running_var").getDouble(1), 0);
        assertEquals(105.0, m.parameter("fc.weight").getDouble(1, 5), 0);
        assertEquals(17.0, m.parameter("fc.weight").getDouble(0, 17), 0);
        assertEquals(8.0, m.parameter("fc.bias").getDouble(1), 0, "big-endian float64");
        assertEquals(BatchNorm2d.of("bn", 2), m.architecture().layer(0));
    }

    private Sequential everyLayer() {
        return Sequential.of(new long[] {3, 8, 8},
                new Conv2d("conv1", 3, 4, Size2d.of(3, 2), Size2d.of(1, 2), Size2d.of(1, 0), Size2d.square(1), true),
                BatchNorm2d.of("bn1", 4), new LeakyRelu(null, 0.2),
                new MaxPool2d("pool", Size2d.square(2), Size2d.square(1), Size2d.square(1), Size2d.square(1)),
                new AvgPool2d(null, Size2d.square(2), Size2d.square(2), Size2d.square(0)),
                new Flatten(), new Dropout("drop", 0.25, true, 11L), new Linear("fc1", 32, 12, false), LayerNorm.of("ln", 12), new Gelu(null, "tanh"),
                Linear.of("fc2", 12, 8), new Elu(null, 0.5), new Softplus(null, 2.0), new Sigmoid(), new Tanh(), new Relu(),
                Linear.of("fc3", 8, 5), new Softmax("sm"), new LogSoftmax());
    }

    @Test
    void everyLayerTypeRoundTrips() {
        Model m = Fixtures.randomModel(everyLayer(), 81);
        Path j = dir.resolve("out/every.json");
        ModelFile.save(m, j);
        assertTrue(Files.isRegularFile(dir.resolve("out/every.npz")));
        Model back = ModelFile.load(j, DataType.DOUBLE);
        assertEquals(m.architecture(), back.architecture());
        assertEquals(m.stateDict().keySet(), back.stateDict().keySet());
        for (Map.Entry<String, INDArray> e : m.stateDict().entrySet()) {
            assertClose(e.getKey(), e.getValue(), back.stateDict().get(e.getKey()), 0, 0);
        }
        Model f32 = ModelFile.load(j, DataType.FLOAT);
        assertEquals(DataType.FLOAT, f32.parameter("fc1.weight").dataType());
        assertClose("float32", m.parameter("fc1.weight").castTo(DataType.FLOAT), f32.parameter("fc1.weight"), 0, 0);
        // a float32 model saves float32 arrays that load back exactly
        ModelFile.save(f32, dir.resolve("f32.json"));
        Model again = ModelFile.load(dir.resolve("f32.json"), DataType.FLOAT);
        assertClose("float32 round trip", f32.parameterVector(), again.parameterVector(), 0, 0);
        assertEquals(DataType.FLOAT, Npz.read(dir.resolve("f32.npz")).get("ln.weight").dataType());
    }

    @Test
    void integersStandForPairsAndDefaultsFollowPyTorch() throws IOException {
        Path j = json("defaults.json", """
                {"format": "jacflux-model/1", "input_shape": [1, 6, 6],
                 "layers": [{"type": "maxpool2d", "kernel_size": 3}, {"type": "avgpool2d", "kernel_size": [1, 2], "stride": 1},
                            {"type": "leaky_relu"}, {"type": "elu"}, {"type": "dropout"}, {"type": "flatten"},
                            {"type": "softmax", "dim": 1}, {"type": "gelu"}, {"type": "softplus", "threshold": 20}]}
                """);
        Model m = ModelFile.load(j, DataType.DOUBLE);
        Sequential a = m.architecture();
        assertEquals(MaxPool2d.of(3), a.layer(0));
        assertEquals(new AvgPool2d(null, Size2d.of(1, 2), Size2d.square(1), Size2d.square(0)), a.layer(1));
        assertEquals(new LeakyRelu(), a.layer(2));
        assertEquals(new Elu(), a.layer(3));
        assertEquals(new Dropout(null, 0.5, false, 0L), a.layer(4));
        assertEquals(new Softplus(), a.layer(8));
        assertArrayEquals(new long[] {2}, a.outputShape());
        assertNull(ModelFile.describe(j).weights());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void unknownLayerType() throws IOException {
        Path j = json("bad.json", EXAMPLE.replace("\"type\": \"relu\"", "\"type\": \"conv3d\""));
        String m = message(j);
        assertTrue(m.startsWith(j.toString()) && m.contains("layers[1] (conv3d), field 'type': unknown layer type 'conv3d'")
                && m.contains("linear"), m);
    }

    @Test
    void missingWeight() throws IOException {
        Path j = json("model.json", EXAMPLE);
        Map<String, byte[]> w = exampleWeights();
        w.remove("fc.bias");
        NpyFixtures.npz(dir.resolve("weights.npz"), w);
        String m = message(j);
        assertTrue(m.startsWith(j.toString()) && m.contains("layers[4] 'fc' (linear), field 'bias'")
                && m.contains("'fc.bias' (shape [6]) is missing from weights.npz"), m);
    }

    @Test
    void misshapenWeightShowsExpectedAndFoundShapes() throws IOException {
        Path j = json("model.json", EXAMPLE);
        Map<String, byte[]> w = exampleWeights();
        w.put("fc.weight", NpyFixtures.npy("<f8", false, "(6, 32)", NpyFixtures.f64(NpyFixtures.ramp(192, 0, 1))));
        NpyFixtures.npz(dir.resolve("weights.npz"), w);
        String m = message(j);
        assertTrue(m.contains("layers[4] 'fc' (linear), field 'weight'") && m.contains("has shape [6, 32], expected [6, 64]"), m);
    }

    @Test
    void shapesThatDoNotChain() throws IOException {
        Path j = json("model.json", EXAMPLE.replace("\"in_features\": 64", "\"in_features\": 63"));
        String m = message(j);
        assertTrue(m.startsWith(j.toString()) && m.contains("layers[4] 'fc' (linear), field 'in_features'") && m.contains("does not chain")
                && m.contains("[64]") && m.contains("layers[3] (flatten)"), m);
        Path c = json("conv.json", EXAMPLE.replace("\"in_channels\": 3", "\"in_channels\": 1"));
        String mc = message(c);
        assertTrue(mc.contains("layers[0] 'conv1' (conv2d), field 'in_channels'") && mc.contains("input_shape") && mc.contains("[3, 8, 8]"), mc);
    }

    @Test
    void badFormatString() throws IOException {
        Path j = json("model.json", EXAMPLE.replace("jacflux-model/1", "jacflux-model/2"));
        String m = message(j);
        assertTrue(m.contains(j + ", field 'format': expected \"jacflux-model/1\", got \"jacflux-model/2\""), m);
    }

    @Test
    void weightsFileThatIsNotAnNpz() throws IOException {
        Path j = json("model.json", EXAMPLE);
        Files.writeString(dir.resolve("weights.npz"), "conv1.weight = [[...]]\n");
        String m = message(j);
        assertTrue(m.contains(j + ", field 'weights'") && m.contains(dir.resolve("weights.npz").toString())
                && m.contains("not a NumPy .npz archive"), m);
        Files.write(dir.resolve("weights.npz"), NpyFixtures.npy("<f8", false, "(2,)", NpyFixtures.f64(1, 2)));
        assertTrue(message(j).contains("this file is a single .npy array"), message(j));
        NpyFixtures.npz(dir.resolve("weights.npz"), Map.of("conv1.weight", "not numpy".getBytes()));
        String e = message(j);
        assertTrue(e.contains("entry 'conv1.weight.npy'") && e.contains("not a NumPy .npy array"), e);
        Files.delete(dir.resolve("weights.npz"));
        assertTrue(message(j).contains("weights file not found"), message(j));
    }

    @Test
    void otherMalformedFiles() throws IOException {
        String typo = message(json("typo.json", EXAMPLE.replace("\"kernel_size\": [2, 2]", "\"kernal_size\": [2, 2]")));
        assertTrue(typo.contains("layers[2] (maxpool2d), field 'kernel_size': missing"), typo);
        String unknown = message(json("unknown.json", EXAMPLE.replace("\"bias\": true}", "\"bias\": true, \"biass\": false}")));
        assertTrue(unknown.contains("field 'biass': unknown field"), unknown);
        String missing = message(json("missing.json", EXAMPLE.replace("\"in_features\": 64, ", "")));
        assertTrue(missing.contains("layers[4] 'fc' (linear), field 'in_features': missing"), missing);
        String wrongType = message(json("wt.json", EXAMPLE.replace("\"out_features\": 6", "\"out_features\": \"6\"")));
        assertTrue(wrongType.contains("field 'out_features': expected a positive integer, got \"6\""), wrongType);
        String groups = message(json("groups.json", EXAMPLE.replace("\"bias\": true},", "\"bias\": true, \"groups\": 2},")));
        assertTrue(groups.contains("layers[0] 'conv1' (conv2d), field 'groups': only 1 is supported"), groups);
        String dim = message(json("dim.json", EXAMPLE.replace("{\"type\": \"log_softmax\"}", "{\"type\": \"log_softmax\", \"dim\": 0}")));
        assertTrue(dim.contains("layers[5] (log_softmax), field 'dim'") && dim.contains("last axis"), dim);
        String noName = message(json("noname.json", EXAMPLE.replace("\"name\": \"fc\", ", "")));
        assertTrue(noName.contains("layers[4] (linear), field 'name'") && noName.contains("needs a name"), noName);
        String json = message(json("broken.json", "{\"format\": \"jacflux-model/1\", "));
        assertTrue(json.contains("not valid JSON"), json);
        String input = message(json("input.json", EXAMPLE.replace("[3, 8, 8]", "[3, 0, 8]")));
        assertTrue(input.contains("field 'input_shape'"), input);
        Path j = json("model.json", EXAMPLE);
        Map<String, byte[]> w = exampleWeights();
        w.put("fc2.weight", NpyFixtures.npy("<f8", false, "(1,)", NpyFixtures.f64(1)));
        NpyFixtures.npz(dir.resolve("weights.npz"), w);
        String extra = message(j);
        assertTrue(extra.contains("unexpected tensor(s) [fc2.weight] in weights.npz"), extra);
        w.remove("fc2.weight");
        w.put("fc.bias", NpyFixtures.npy("<f2", false, "(6,)", new byte[12]));
        NpyFixtures.npz(dir.resolve("weights.npz"), w);
        String half = message(j);
        assertTrue(half.contains("entry 'fc.bias.npy'") && half.contains("unsupported dtype '<f2'"), half);
    }

    @Test
    void npyBytesMatchTheIndependentWriter() {
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(NpyFixtures.npy("<f8", false, "(2, 3)", NpyFixtures.f64(1, 2, 3, 4, 5, 6)), Npz.toNpy(a));
        assertArrayEquals(NpyFixtures.npy("<f4", false, "(3,)", NpyFixtures.f32(1, 2, 3)), Npz.toNpy(Nd4j.createFromArray(1f, 2f, 3f)));
        assertArrayEquals(NpyFixtures.npy("<i8", false, "()", NpyFixtures.i64(12)), Npz.toNpy(Nd4j.scalar(12L)));
        assertClose("npy round trip", a, Npz.fromNpy(Npz.toNpy(a), "test"), 0, 0);
    }
}
