package io.cmkflow.contract;

/** Azure's built-in roles cmkflow grants on a vault (role definition ids are the same in every cloud). */
public final class KeyVaultRoles {

    /** "Key Vault Crypto Service Encryption User": get, wrapKey, unwrapKey on keys; what Cosmos DB needs for a CMK. */
    public static final String CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
    public static final String CRYPTO_SERVICE_ENCRYPTION_USER_NAME = "Key Vault Crypto Service Encryption User";

    /** "Key Vault Crypto Officer": every action on keys (create, get, delete, purge, ...) except managing permissions. */
    public static final String CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
    public static final String CRYPTO_OFFICER_NAME = "Key Vault Crypto Officer";

    private KeyVaultRoles() {
    }
}
