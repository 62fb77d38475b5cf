package dev.jacflux.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jacflux.autodiff.Shapes;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.layers.AvgPool2d;
import dev.jacflux.model.layers.BatchNorm2d;
import dev.jacflux.model.layers.Conv2d;
import dev.jacflux.model.layers.Dropout;
import dev.jacflux.model.layers.Elu;
import dev.jacflux.model.layers.Flatten;
import dev.jacflux.model.layers.Gelu;
import dev.jacflux.model.layers.Layer;
import dev.jacflux.model.layers.LayerException;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Layers to and from the JSON objects of the {@code jacflux-model/1} format. Field names and
 * defaults follow PyTorch's module arguments; unknown fields are errors (a misspelt optional field
 * would otherwise be silently replaced by its default), and PyTorch arguments that JacFlux does
 * not model are accepted only at their default ({@code groups: 1}, {@code padding_mode: "zeros"},
 * {@code ceil_mode: false}, ...).
 */
final class LayerCodec {
    /** The layer types of the format, in documentation order. */
    static final List<String> TYPES = List.of(Linear.TYPE, Conv2d.TYPE, Relu.TYPE, LeakyRelu.TYPE, Tanh.TYPE, Sigmoid.TYPE, Softplus.TYPE,
            Gelu.TYPE, Elu.TYPE, Flatten.TYPE, MaxPool2d.TYPE, AvgPool2d.TYPE, LayerNorm.TYPE, BatchNorm2d.TYPE, Dropout.TYPE, Softmax.TYPE,
            LogSoftmax.TYPE);

    private LayerCodec() {
    }

    /** A parsed layer, and for softmax/log_softmax the {@code dim} given (checked once shapes are known). */
    record Parsed(Layer layer, Integer dim) {
    }

    static Parsed fromJson(String file, int index, JsonNode node) {
        String at = file + ": layers[" + index + "]";
        if (node == null || !node.isObject()) {
            throw new ModelException(at + ": expected a JSON object with a \"type\", got " + node);
        }
        JsonNode t = node.get("type");
        if (t == null || !t.isTextual()) {
            throw new ModelException(at + ", field 'type': missing or not a string (got " + t + "); known types: " + TYPES);
        }
        String type = t.asText();
        JsonNode n = node.get("name");
        if (n != null && !n.isTextual() && !n.isNull()) {
            throw new ModelException(at + ", field 'name': expected a string, got " + n);
        }
        String name = n == null || n.isNull() ? null : n.asText();
        String where = at + (name == null ? "" : " '" + name + "'") + " (" + type + ")";
        if (!TYPES.contains(type)) {
            throw new ModelException(where + ", field 'type': unknown layer type '" + type + "'; known types: " + TYPES);
        }
        Fields f = new Fields(where, (ObjectNode) node);
        f.take("type");
        f.take("name");
        try {
            Parsed p = parse(type, name, f);
            f.checkAllUsed();
            return p;
        } catch (LayerException e) {
            throw new ModelException(where + (e.field() == null ? "" : ", field '" + e.field() + "'") + ": " + e.detail(), e);
        }
    }

    private static Parsed parse(String type, String name, Fields f) {
        Layer layer;
        Integer dim = null;
        switch (type) {
            case Linear.TYPE -> layer = new Linear(name, f.positive("in_features"), f.positive("out_features"), f.bool("bias", true));
            case Conv2d.TYPE -> {
                long in = f.positive("in_channels");
                long out = f.positive("out_channels");
                Size2d k = f.pair("kernel_size", null);
                Size2d s = f.pair("stride", Size2d.square(1));
                Size2d p = f.pair("padding", Size2d.square(0));
                Size2d d = f.pair("dilation", Size2d.square(1));
                boolean bias = f.bool("bias", true);
                f.onlyDefault("groups", 1);
                f.onlyDefault("padding_mode", "zeros");
                layer = new Conv2d(name, in, out, k, s, p, d, bias);
            }
            case Relu.TYPE -> {
                f.ignore("inplace");
                layer = new Relu(name);
            }
            case LeakyRelu.TYPE -> {
                f.ignore("inplace");
                layer = new LeakyRelu(name, f.number("negative_slope", LeakyRelu.DEFAULT_SLOPE));
            }
            case Tanh.TYPE -> layer = new Tanh(name);
            case Sigmoid.TYPE -> layer = new Sigmoid(name);
            case Softplus.TYPE -> {
                f.ignoreNumber("threshold");
                layer = new Softplus(name, f.number("beta", 1.0));
            }
            case Gelu.TYPE -> layer = new Gelu(name, f.string("approximate", "none"));
            case Elu.TYPE -> {
                f.ignore("inplace");
                layer = new Elu(name, f.number("alpha", Elu.DEFAULT_ALPHA));
            }
            case Flatten.TYPE -> layer = new Flatten(name, f.integer("start_dim", 1), f.integer("end_dim", -1));
            case MaxPool2d.TYPE -> {
                Size2d k = f.pair("kernel_size", null);
                Size2d s = f.pair("stride", k);
                Size2d p = f.pair("padding", Size2d.square(0));
                Size2d d = f.pair("dilation", Size2d.square(1));
                f.onlyDefault("ceil_mode", false);
                f.onlyDefault("return_indices", false);
                layer = new MaxPool2d(name, k, s, p, d);
            }
            case AvgPool2d.TYPE -> {
                Size2d k = f.pair("kernel_size", null);
                Size2d s = f.pair("stride", k);
                Size2d p = f.pair("padding", Size2d.square(0));
                f.onlyDefault("ceil_mode", false);
                f.onlyDefault("count_include_pad", true);
                f.onlyDefault("divisor_override", null);
                layer = new AvgPool2d(name, k, s, p);
            }
            case LayerNorm.TYPE -> layer = new LayerNorm(name, f.shape("normalized_shape"), f.number("eps", 1e-5),
                    f.bool("elementwise_affine", true), f.bool("bias", true));
            case BatchNorm2d.TYPE -> {
                f.ignoreNumber("momentum");
                layer = new BatchNorm2d(name, f.positive("num_features"), f.number("eps", 1e-5), f.bool("affine", true),
                        f.bool("track_running_stats", true), f.bool("training", false));
            }
            case Dropout.TYPE -> {
                f.ignore("inplace");
                layer = new Dropout(name, f.number("p", 0.5), f.bool("training", false), f.integer64("seed", 0L));
            }
            case Softmax.TYPE -> {
                dim = f.optionalInteger("dim");
                layer = new Softmax(name);
            }
            case LogSoftmax.TYPE -> {
                dim = f.optionalInteger("dim");
                layer = new LogSoftmax(name);
            }
            default -> throw new IllegalStateException(type);
        }
        return new Parsed(layer, dim);
    }

    /** Checks a softmax/log_softmax {@code dim} against the layer's per-sample input shape. */
    static void checkDim(String file, String describe, String type, int dim, long[] inShape) {
        int full = inShape.length + 1;
        int d = dim < 0 ? dim + full : dim;
        if (d != full - 1) {
            throw new ModelException(file + ": " + describe + ", field 'dim': " + type + " acts on the last axis, but dim " + dim
                    + " is not the last axis of its input batch [n, " + Shapes.str(inShape).substring(1) + " (use -1 or " + (full - 1) + ")");
        }
    }

    static ObjectNode toJson(Layer layer) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode o = nf.objectNode();
        o.put("type", layer.type());
        if (layer.name() != null) {
            o.put("name", layer.name());
        }
        if (layer instanceof Linear l) {
            o.put("in_features", l.inFeatures());
            o.put("out_features", l.outFeatures());
            o.put("bias", l.bias());
        } else if (layer instanceof Conv2d c) {
            o.put("in_channels", c.inChannels());
            o.put("out_channels", c.outChannels());
            o.set("kernel_size", pair(c.kernelSize()));
            o.set("stride", pair(c.stride()));
            o.set("padding", pair(c.padding()));
            o.set("dilation", pair(c.dilation()));
            o.put("bias", c.bias());
        } else if (layer instanceof LeakyRelu l) {
            o.put("negative_slope", l.negativeSlope());
        } else if (layer instanceof Softplus s) {
            o.put("beta", s.beta());
        } else if (layer instanceof Gelu g) {
            o.put("approximate", g.approximate());
        } else if (layer instanceof Elu e) {
            o.put("alpha", e.alpha());
        } else if (layer instanceof Flatten fl) {
            o.put("start_dim", fl.startDim());
            o.put("end_dim", fl.endDim());
        } else if (layer instanceof MaxPool2d m) {
            o.set("kernel_size", pair(m.kernelSize()));
            o.set("stride", pair(m.stride()));
            o.set("padding", pair(m.padding()));
            o.set("dilation", pair(m.dilation()));
        } else if (layer instanceof AvgPool2d a) {
            o.set("kernel_size", pair(a.kernelSize()));
            o.set("stride", pair(a.stride()));
            o.set("padding", pair(a.padding()));
        } else if (layer instanceof LayerNorm ln) {
            ArrayNode s = nf.arrayNode();
            for (long d : ln.normalizedShape()) {
                s.add(d);
            }
            o.set("normalized_shape", s);
            o.put("eps", ln.eps());
            o.put("elementwise_affine", ln.elementwiseAffine());
            o.put("bias", ln.bias());
        } else if (layer instanceof BatchNorm2d bn) {
            o.put("num_features", bn.numFeatures());
            o.put("eps", bn.eps());
            o.put("affine", bn.affine());
            o.put("track_running_stats", bn.trackRunningStats());
            o.put("training", bn.training());
        } else if (layer instanceof Dropout d) {
            o.put("p", d.p());
            o.put("training", d.training());
            o.put("seed", d.seed());
        } else if (!(layer instanceof Relu || layer instanceof Tanh || layer instanceof Sigmoid || layer instanceof Softmax
                || layer instanceof LogSoftmax)) {
            throw new ModelException("model file: cannot write layer " + layer.describe() + " of class " + layer.getClass().getName()
                    + "; the jacflux-model/1 format knows the types " + TYPES);
        }
        return o;
    }

    private static ArrayNode pair(Size2d s) {
        return JsonNodeFactory.instance.arrayNode().add(s.h()).add(s.w());
    }

    /** Typed access to a layer's fields with messages that name the file, layer and field. */
    private static final class Fields {
        private final String where;
        private final ObjectNode node;
        private final Set<String> used = new LinkedHashSet<>();

        Fields(String where, ObjectNode node) {
            this.where = where;
            this.node = node;
        }

        private ModelException error(String field, String detail) {
            return new ModelException(where + ", field '" + field + "': " + detail);
        }

        JsonNode take(String field) {
            used.add(field);
            return node.get(field);
        }

        long positive(String field) {
            JsonNode v = take(field);
            if (v == null) {
                throw error(field, "missing (a positive integer is required)");
            }
            if (!v.isIntegralNumber() || v.asLong() <= 0) {
                throw error(field, "expected a positive integer, got " + v);
            }
            return v.asLong();
        }

        int integer(String field, int dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error(field, "expected an integer, got " + v);
            }
            return v.asInt();
        }

        Integer optionalInteger(String field) {
            JsonNode v = take(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error(field, "expected an integer, got " + v);
            }
            return v.asInt();
        }

        long integer64(String field, long dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw error(field, "expected an integer, got " + v);
            }
            return v.asLong();
        }

        double number(String field, double dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return dflt;
            }
            if (!v.isNumber()) {
                throw error(field, "expected a number, got " + v);
            }
            return v.asDouble();
        }

        boolean bool(String field, boolean dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw error(field, "expected true or false, got " + v);
            }
            return v.asBoolean();
        }

        String string(String field, String dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return dflt;
            }
            if (!v.isTextual()) {
                throw error(field, "expected a string, got " + v);
            }
            return v.asText();
        }

        /** An int or {@code [h, w]}; required if {@code dflt} is null. */
        Size2d pair(String field, Size2d dflt) {
            JsonNode v = take(field);
            if (v == null || v.isNull()) {
                if (dflt == null) {
                    throw error(field, "missing (an integer or [h, w] is required)");
                }
                return dflt;
            }
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return Size2d.square(v.asInt());
            }
            if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()
                    && v.get(0).canConvertToInt() && v.get(1).canConvertToInt()) {
                return Size2d.of(v.get(0).asInt(), v.get(1).asInt());
            }
            throw error(field, "expected an integer or a pair of integers [h, w], got " + v);
        }

        /** An int or a list of positive ints. */
        long[] shape(String field) {
            JsonNode v = take(field);
            if (v == null) {
                throw error(field, "missing (an integer or a list of integers is required)");
            }
            if (v.isIntegralNumber()) {
                return new long[] {v.asLong()};
            }
            if (v.isArray() && v.size() > 0) {
                long[] out = new long[v.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!v.get(i).isIntegralNumber()) {
                        throw error(field, "expected a list of integers, got " + v);
                    }
                    out[i] = v.get(i).asLong();
                }
                return out;
            }
            throw error(field, "expected an integer or a non-empty list of integers, got " + v);
        }

        /** A PyTorch argument JacFlux does not model: allowed only at its default value. */
        void onlyDefault(String field, Object dflt) {
            JsonNode v = take(field);
            if (v == null) {
                return;
            }
            boolean ok = dflt == null ? v.isNull()
                    : dflt instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
                    : dflt instanceof Integer i ? v.isIntegralNumber() && v.asLong() == i
                    : v.isTextual() && v.asText().equals(dflt);
            if (!ok) {
                throw error(field, "only " + (dflt instanceof String ? "\"" + dflt + "\"" : String.valueOf(dflt)) + " is supported, got " + v);
            }
        }

        /** A PyTorch argument with no effect here (e.g. {@code inplace}). */
        void ignore(String field) {
            take(field);
        }

        void ignoreNumber(String field) {
            JsonNode v = take(field);
            if (v != null && !v.isNumber() && !v.isNull()) {
                throw error(field, "expected a number, got " + v);
            }
        }

        void checkAllUsed() {
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!used.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                throw new ModelException(where + ", field '" + unknown.get(0) + "': unknown field" + (unknown.size() > 1 ? "s " + unknown : "")
                        + " for a layer of this type; its fields are " + used);
            }
        }
    }
}
