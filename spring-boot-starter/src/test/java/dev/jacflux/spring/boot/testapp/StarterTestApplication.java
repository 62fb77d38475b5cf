package dev.jacflux.spring.boot.testapp;

import dev.jacflux.autodiff.Tensor;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.JobDefinitions;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A plain Boot application with only the starter (and actuator) added: it defines the function
 * whose batch Jacobians it wants and gets a configured, metered pipeline for it.
 */
@SpringBootApplication
public class StarterTestApplication {
    /** The weights of the test function, seeded. */
    public static final INDArray W = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(7), new long[] {6, 4}).castTo(DataType.DOUBLE);

    /** {@code x -> tanh(x W)}: {@code [B, 6] -> [B, 4]}. */
    public static Function<Tensor, Tensor> function() {
        return x -> x.matmul(Tensor.constant(W.castTo(x.value().dataType()))).tanh();
    }

    @Bean
    JobDefinition saliency() {
        return JobDefinitions.batchJacobian(function());
    }

    public static void main(String[] args) {
        SpringApplication.run(StarterTestApplication.class, args);
    }
}
