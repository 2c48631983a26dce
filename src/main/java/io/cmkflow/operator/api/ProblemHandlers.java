package io.cmkflow.operator.api;

import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.operator.RunControlException;
import io.cmkflow.operator.RunNotFoundException;
import io.micronaut.context.annotation.Factory;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * How the API answers a refusal: 404 for a run Temporal does not know, 409 for an action the run refuses (not parked,
 * already ended) with the workflow's reason, 400 for bad input naming field and rule.
 */
@Factory
class ProblemHandlers {
    static final String PROBLEM_JSON = "application/problem+json";

    @Singleton
    ExceptionHandler<RunNotFoundException, HttpResponse<Problem>> runNotFound() {
        return (request, unknown) -> problem(Problem.of(404, "Unknown run", unknown.getMessage()));
    }

    @Singleton
    ExceptionHandler<RunControlException, HttpResponse<Problem>> refused() {
        return (request, refused) -> problem(Problem.of(409, "Refused", refused.getMessage()));
    }

    @Singleton
    ExceptionHandler<InvalidRequestException, HttpResponse<Problem>> invalid() {
        return (HttpRequest request, InvalidRequestException invalid) -> problem(new Problem(400, "Invalid request",
                invalid.getMessage(), invalid.field(), invalid.rule(), null, null));
    }

    static MutableHttpResponse<Problem> problem(Problem problem) {
        return HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status())).body(problem).contentType(PROBLEM_JSON);
    }
}
