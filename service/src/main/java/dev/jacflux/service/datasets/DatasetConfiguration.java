package dev.jacflux.service.datasets;

import dev.jacflux.service.ServiceProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dataset store ({@code <data-dir>/datasets}) and its routes {@code /v1/datasets}.
 *
 * <pre>{@code
 * @Autowired DatasetStore datasets;   // datasets.load(id)
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
public class DatasetConfiguration {

    /** The datasets in {@code jacflux.data-dir}/datasets. */
    @Bean
    DatasetStore datasetStore(ServiceProperties properties) {
        return new DatasetStore(properties.dataDir());
    }

    /** {@code /v1/datasets}. */
    @Bean
    RouterFunction<ServerResponse> datasetApi(DatasetStore store, ObjectProvider<DatasetUsage> usages) {
        DatasetRoutes d = new DatasetRoutes(store, id -> usages.orderedStream().map(u -> u.usedBy(id)).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null));
        return RouterFunctions.route()
                .POST("/v1/datasets", d::upload)
                .GET("/v1/datasets", d::list)
                .GET("/v1/datasets/{id}", d::get)
                .DELETE("/v1/datasets/{id}", d::delete)
                .build();
    }
}
