package dev.jacflux.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Kebab-case names for the configuration enums, shared so that all enums parse alike. */
final class ConfigNames {
    private ConfigNames() {
    }

    /** {@code BATCH_JACOBIAN -> batch-jacobian}. */
    static String kebab(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a config name case-insensitively; {@code batch-jacobian}, {@code BATCH_JACOBIAN}
     * and {@code Batch_Jacobian} all name the same constant.
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    static <E extends Enum<E>> E parse(Class<E> type, String value) {
        if (value != null) {
            String wanted = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (E constant : type.getEnumConstants()) {
                if (kebab(constant).equals(wanted)) {
                    return constant;
                }
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + value
                + "', expected one of " + allowed(type));
    }

    /** {@code "batch-jacobian, full-jacobian, ..."}. */
    static String allowed(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigNames::kebab)
                .collect(Collectors.joining(", "));
    }
}
