"""Authentication primitives shared by ``login`` and ``factors``: the login transaction, the
login/account error family and the assurance levels (ACR/AMR)."""
