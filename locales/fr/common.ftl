## Textes communs : mise en page, en-tête, pied de page et formule de politesse.

# Nom du produit dans le texte courant. Ne pas traduire.
-brand-name = Northwind

common-header-logo = { -brand-name }
    .alt = Logo { -brand-name }

common-greeting = Bonjour { $name },

common-signoff = Bien cordialement,
common-signature = L’équipe { -brand-name }

common-button-fallback = Si le bouton ne fonctionne pas, copiez et collez ce lien dans votre navigateur :

## Pied de page

common-footer-help-center = Centre d’aide
common-footer-privacy = Politique de confidentialité
common-footer-terms = Conditions d’utilisation
common-footer-preferences = Paramètres de notification
common-footer-unsubscribe = Se désabonner
common-footer-copyright = © { $company }. Tous droits réservés.
