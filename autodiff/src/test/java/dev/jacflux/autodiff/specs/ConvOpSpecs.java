package dev.jacflux.autodiff.specs;

import dev.jacflux.autodiff.testing.OpSpec;
import java.util.List;

/** Spec rows (filled in as the ops land). */
public final class ConvOpSpecs {
    private ConvOpSpecs() {
    }

    public static List<OpSpec> specs() {
        return List.of();
    }
}
