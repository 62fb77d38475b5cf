package dev.jacflux.model.layers;

import dev.jacflux.autodiff.Shapes;

/** Validation helpers shared by the layer records (messages use the model-file field names). */
final class Checks {
    private Checks() {
    }

    static void requireName(String type, String name) {
        if (name == null || name.isBlank()) {
            throw new LayerException(type, null, "name", "a " + type + " layer has parameters or buffers and needs a name"
                    + " (its tensors are named <name>.weight, ...)");
        }
        if (name.contains(".")) {
            throw new LayerException(type, name, "name", "a layer name must not contain '.', got '" + name + "'");
        }
    }

    static void optionalName(String type, String name) {
        if (name != null && (name.isBlank() || name.contains("."))) {
            throw new LayerException(type, name, "name", "a layer name must be non-blank and must not contain '.', got '" + name + "'");
        }
    }

    static void positive(String type, String name, String field, long v) {
        if (v <= 0) {
            throw new LayerException(type, name, field, "must be a positive integer, got " + v);
        }
    }

    static void positive(String type, String name, String field, Size2d v) {
        if (v == null || v.h() <= 0 || v.w() <= 0) {
            throw new LayerException(type, name, field, "must be two positive integers [h, w], got " + v);
        }
    }

    static void nonNegative(String type, String name, String field, Size2d v) {
        if (v == null || v.h() < 0 || v.w() < 0) {
            throw new LayerException(type, name, field, "must be two non-negative integers [h, w], got " + v);
        }
    }

    static void finiteNonNegative(String type, String name, String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new LayerException(type, name, field, "must be a finite number >= 0, got " + v);
        }
    }

    static void finite(String type, String name, String field, double v) {
        if (!Double.isFinite(v)) {
            throw new LayerException(type, name, field, "must be a finite number, got " + v);
        }
    }

    static void minRank(String type, String name, long[] in, int rank, String what) {
        if (in.length < rank) {
            throw new LayerException(type, name, null, "expected a per-sample input of " + what + ", got "
                    + Shapes.str(in));
        }
    }

    /** The output size of a window op along one axis, or an error naming the field. */
    static long windowOut(String type, String name, long in, int k, int s, int p, int d, String axis) {
        long eff = (long) d * (k - 1) + 1;
        long span = in + 2L * p - eff;
        if (span < 0) {
            throw new LayerException(type, name, "kernel_size", "the " + axis + " " + in + " (padded " + (in + 2L * p)
                    + ") is smaller than the kernel " + k + (d > 1 ? " (dilated " + eff + ")" : "") + ": the output would be empty");
        }
        return span / s + 1;
    }
}
