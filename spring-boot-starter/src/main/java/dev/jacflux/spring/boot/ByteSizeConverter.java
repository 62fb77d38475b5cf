package dev.jacflux.spring.boot;

import dev.jacflux.config.ByteSize;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;

/**
 * Binds {@code jacflux.*} byte sizes ({@code memory-budget}, the service's limits) with the
 * {@code config} module's units: {@code KB, MB, GB} are powers of 1000, {@code KiB, MiB, GiB}
 * and {@code k, m, g} powers of 1024 (Spring's own {@code DataSize} reads {@code KB} as 1024).
 *
 * <pre>{@code
 * new ByteSizeConverter().convert("2GB").bytes();   // 2000000000
 * }</pre>
 */
@ConfigurationPropertiesBinding
public final class ByteSizeConverter implements Converter<String, ByteSize> {
    @Override
    public ByteSize convert(String source) {
        return ByteSize.parse(source);
    }
}
