package io.cmkflow.workflow;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The custom search attributes that make runs findable in the Temporal UI, also while parked with no pending activity. */
public final class CmkSearchAttributes {

    public static final SearchAttributeKey<String> REQUEST_ID = SearchAttributeKey.forKeyword("CmkRequestId");
    public static final SearchAttributeKey<String> SUBSCRIPTION_ID = SearchAttributeKey.forKeyword("CmkSubscriptionId");
    public static final SearchAttributeKey<String> WORKSPACE = SearchAttributeKey.forKeyword("CmkWorkspace");
    public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("CmkStage");
    public static final SearchAttributeKey<String> STATUS = SearchAttributeKey.forKeyword("CmkStatus");
    /** The key vault the request names, as a lower-case ARM id: how an undo finds the other runs in flight on it. */
    public static final SearchAttributeKey<String> KEY_VAULT = SearchAttributeKey.forKeyword("CmkKeyVault");
    /** A posture check's result: Healthy, AtRisk or Broken (set on {@link CmkPostureWorkflow} runs). */
    public static final SearchAttributeKey<String> POSTURE = SearchAttributeKey.forKeyword("CmkPosture");

    /** {@code CmkStage} values besides the steps' own ({@link CmkStep#stage()}). */
    public static final String STAGE_ACCEPTED = "accepted";
    public static final String STAGE_COMPENSATION = "compensation";
    public static final String STAGE_DONE = "done";

    public static final List<SearchAttributeKey<String>> ALL = List.of(REQUEST_ID, SUBSCRIPTION_ID, WORKSPACE, STAGE, STATUS, KEY_VAULT, POSTURE);

    private static final Logger LOG = LoggerFactory.getLogger(CmkSearchAttributes.class);

    /** {@link #ALL} by name with the Temporal CLI's type name, as {@code temporal server start-dev --search-attribute} takes them. */
    public static Map<String, String> cliTypes() {
        Map<String, String> types = new LinkedHashMap<>();
        ALL.forEach(key -> types.put(key.getName(), "Keyword"));
        return types;
    }

    private CmkSearchAttributes() {
    }

    /** {@code CmkKeyVault}'s value for {@code request}; empty when the request names no vault it could be read from. */
    public static Optional<String> keyVaultOf(CmkRequest request) {
        CmkRequest.KeyVault vault = request.keyVault();
        if (vault == null) {
            return Optional.empty();
        }
        Optional<ArmResourceId> id = vault.existingId() != null ? ArmResourceId.parse(vault.existingId())
                : vault.name() == null || request.subscriptionId() == null || request.resourceGroup() == null ? Optional.empty()
                : Optional.of(new ArmResourceId(request.subscriptionId(), request.resourceGroup(), "Microsoft.KeyVault",
                "vaults", vault.name()));
        return id.map(value -> value.id().toLowerCase(Locale.ROOT));
    }

    /**
     * Registers all attributes in {@code namespace}. Tolerates attributes that already exist (another replica, or a
     * previous start, registered them). Other errors propagate: a server that refuses registration (e.g. Temporal
     * Cloud, where an administrator registers them) surfaces here for the caller to decide.
     */
    public static void register(OperatorServiceStubs operator, String namespace) {
        Map<String, IndexedValueType> attributes = new LinkedHashMap<>();
        ALL.forEach(key -> attributes.put(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        for (Map.Entry<String, IndexedValueType> attribute : attributes.entrySet()) {
            // One at a time: a batch fails as a whole when any attribute already exists.
            try {
                operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                        .setNamespace(namespace)
                        .putSearchAttributes(attribute.getKey(), attribute.getValue())
                        .build());
                LOG.info("Registered search attribute {} in namespace {}", attribute.getKey(), namespace);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * The attributes of {@link #ALL} that {@code namespace} lacks; all of them when the server does not say (a list
     * that cannot be read proves nothing).
     */
    public static List<String> missing(OperatorServiceStubs operator, String namespace) {
        try {
            Map<String, IndexedValueType> existing = operator.blockingStub().listSearchAttributes(
                    ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap();
            return ALL.stream().map(SearchAttributeKey::getName).filter(name -> !existing.containsKey(name)).toList();
        } catch (StatusRuntimeException unreadable) {
            LOG.warn("Cannot list the search attributes of namespace {}: {}", namespace, unreadable.getStatus());
            return ALL.stream().map(SearchAttributeKey::getName).toList();
        }
    }

    /** The Temporal CLI commands that create {@code names} as Keyword attributes (for Temporal Cloud: tcld or the Cloud UI). */
    public static String createCommands(List<String> names, String namespace) {
        StringBuilder commands = new StringBuilder();
        for (String name : names) {
            commands.append("  temporal operator search-attribute create --namespace ").append(namespace)
                    .append(" --name ").append(name).append(" --type Keyword\n");
        }
        return commands.toString();
    }
}
