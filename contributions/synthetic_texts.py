"""Resident contribution texts (FR/IT) used to generate realistic synthetic contributions.

TEXTS[language][theme][kind] -> list of (title, description); `{commune}` is replaced by a name.
"""

import re
import string

LANGUAGES = ("fr", "it")
THEMES = ("infrastructure", "economic-development", "health-social", "services")
KINDS = ("proposal", "report", "observation-positive", "observation-negative")
PLACEHOLDER = "{commune}"

MIN_PER_KIND = 8
MAX_TITLE_LENGTH = 90
MAX_DESCRIPTION_LENGTH = 400

TEXTS: dict[str, dict[str, dict[str, list[tuple[str, str]]]]] = {
    "fr": {
        "infrastructure": {
            "proposal": [
                (
                    "Navette quotidienne vers la vallée de la Roya",
                    "Une navette matin et soir entre {commune} et la gare de Breil "
                    "permettrait aux actifs et aux lycéens de se passer de la voiture. Même "
                    "un minibus de quinze places suffirait en semaine.",
                ),
                (
                    "Créer un trottoir sécurisé jusqu'à l'école",
                    "Les enfants marchent sur le bord de la départementale pour rejoindre "
                    "l'école. Un trottoir, même étroit, avec une barrière côté ravin, "
                    "rassurerait tous les parents.",
                ),
                (
                    "Une piste cyclable entre le village et la côte",
                    "Beaucoup feraient le trajet vers Menton en vélo électrique si la route "
                    "n'était pas si dangereuse. Une piste cyclable séparée, au moins sur le "
                    "tronçon plat le long du fleuve, changerait la donne.",
                ),
                (
                    "Parking relais à l'entrée de {commune}",
                    "Un parking relais en bas du village, relié à l'arrêt de car, éviterait "
                    "les voitures ventouses dans les ruelles l'été et faciliterait le "
                    "covoiturage vers Nice.",
                ),
                (
                    "Aire de covoiturage au rond-point pour les frontaliers",
                    "Beaucoup de frontaliers se retrouvent déjà au rond-point pour monter "
                    "ensemble à Monaco. Une petite aire balisée et éclairée, avec un abri, "
                    "rendrait la pratique plus sûre.",
                ),
                (
                    "Prioriser la fibre dans les hameaux",
                    "La fibre s'arrête au centre du village alors que les hameaux sont ceux "
                    "qui en ont le plus besoin pour télétravailler. Il faudrait avancer les "
                    "lieux-dits dans le calendrier de déploiement.",
                ),
                (
                    "Installer des bornes de recharge sur la place",
                    "Une ou deux bornes de recharge sur la place de {commune} serviraient aux "
                    "habitants comme aux touristes de passage. Aujourd'hui, la plus proche "
                    "est à plus de vingt kilomètres de virages.",
                ),
                (
                    "Protéger les berges avant la prochaine crue",
                    "Depuis la tempête Alex, on sait que le vallon peut déborder. Des "
                    "enrochements et un entretien régulier des berges au niveau du pont "
                    "protégeraient les maisons du bas.",
                ),
                (
                    "Un abri-bus fermé pour l'hiver",
                    "En hiver, on attend le car dans le vent et la neige. Un abri fermé avec "
                    "un banc et les horaires affichés serait un vrai plus pour les personnes "
                    "âgées et les collégiens.",
                ),
            ],
            "report": [
                (
                    "Chaussée effondrée sur la route du hameau",
                    "Un pan de la route s'est affaissé après les dernières pluies et on ne "
                    "passe plus qu'à une voiture. Aucune signalisation la nuit : un accident "
                    "va finir par arriver.",
                ),
                (
                    "Déneigement bien trop tardif sur la montée",
                    "Ce matin encore, le chasse-neige n'est passé qu'à 10 h. Impossible de "
                    "descendre travailler avant, et les pneus neige ne suffisent pas dans le "
                    "dernier lacet.",
                ),
                (
                    "Éboulement toujours pas dégagé au-dessus de {commune}",
                    "Des blocs sont tombés sur la route il y a plus d'une semaine et on roule "
                    "sur la voie d'en face pour les contourner. Le filet de protection "
                    "au-dessus semble arraché.",
                ),
                (
                    "Nids-de-poule dangereux dans la traversée du village",
                    "La chaussée est criblée de trous profonds dans la traversée de "
                    "{commune}. Les deux-roues font des écarts et ça devient dangereux quand "
                    "les camions passent.",
                ),
                (
                    "Trottoir impraticable avec une poussette",
                    "Le trottoir de la rue principale est si étroit et encombré de poteaux "
                    "qu'on doit marcher sur la route avec une poussette ou un fauteuil "
                    "roulant.",
                ),
                (
                    "Aucun réseau mobile dans tout le vallon",
                    "Pas une barre de réseau sur plusieurs kilomètres, même pour appeler le "
                    "112. En cas de panne ou d'accident sur la route, on est complètement "
                    "coupés du monde.",
                ),
                (
                    "Connexion internet qui saute plusieurs fois par jour",
                    "L'ADSL décroche sans arrêt et la fibre est annoncée « pour l'an prochain "
                    "» depuis trois ans. Télétravailler depuis {commune} devient un vrai "
                    "casse-tête.",
                ),
                (
                    "Lampadaires éteints autour de l'arrêt de car",
                    "Trois lampadaires sont en panne depuis des semaines autour de l'arrêt. "
                    "Les collégiens attendent le car dans le noir complet les matins d'hiver.",
                ),
                (
                    "Pont provisoire toujours en place",
                    "Le pont métallique installé après la tempête est toujours là, limité en "
                    "tonnage. Les camions de livraison et les pompiers doivent faire un long "
                    "détour.",
                ),
            ],
            "observation-positive": [
                (
                    "La navette du samedi change la vie des anciens",
                    "Depuis qu'une navette descend au marché le samedi matin, beaucoup "
                    "d'anciens qui ne conduisent plus refont leurs courses en toute "
                    "autonomie.",
                ),
                (
                    "La route de la vallée enfin reconstruite",
                    "La route a été refaite plus solide après la tempête Alex, avec des murs "
                    "de soutènement neufs. On circule enfin sereinement, même par temps de "
                    "pluie.",
                ),
                (
                    "Le train des Merveilles, un vrai atout",
                    "La ligne Nice–Breil–Tende permet de descendre sur la côte sans voiture "
                    "et attire des randonneurs toute l'année. C'est un lien précieux pour "
                    "toute la vallée.",
                ),
                (
                    "Déneigement efficace cet hiver",
                    "Cet hiver, les équipes sont passées tôt et régulièrement, y compris sur "
                    "les petites routes des hameaux. Merci aux agents qui se lèvent à 4 h du "
                    "matin.",
                ),
                (
                    "La fibre est arrivée au village",
                    "Depuis le raccordement de {commune} à la fibre, plusieurs familles ont "
                    "pu s'installer en télétravail. Ça change vraiment la vie ici.",
                ),
                (
                    "Le chemin muletier entre les hameaux restauré",
                    "Le vieux chemin restauré permet de relier les hameaux à pied en vingt "
                    "minutes, à l'écart de la route. Les enfants l'empruntent même pour aller "
                    "à l'école.",
                ),
                (
                    "Des horaires de car enfin cohérents",
                    "Les horaires du car ont été calés sur ceux du lycée et du train. On peut "
                    "désormais faire l'aller-retour vers Menton dans la journée sans attendre "
                    "des heures.",
                ),
                (
                    "Le parking du bas a libéré les ruelles",
                    "Le parking créé à l'entrée du village a libéré les ruelles. Le cœur de "
                    "{commune} est plus calme et bien plus agréable pour les piétons.",
                ),
                (
                    "La piste cyclable du bord de mer est pleine",
                    "Le week-end, la piste cyclable est prise d'assaut, familles comprises. "
                    "La preuve que l'envie de pédaler est là quand l'aménagement suit.",
                ),
            ],
            "observation-negative": [
                (
                    "Impossible de vivre ici sans voiture",
                    "Sans voiture, vivre à {commune} relève du défi : deux cars par jour et "
                    "aucun le dimanche. Les jeunes et les anciens sont les premiers "
                    "pénalisés.",
                ),
                (
                    "La vallée coupée à chaque gros orage",
                    "À chaque épisode méditerranéen, la route est fermée et on reste isolés "
                    "plusieurs jours. Il n'existe aucun itinéraire de secours digne de ce "
                    "nom.",
                ),
                (
                    "Le tunnel de Tende, des années d'attente",
                    "La fermeture prolongée du tunnel a cassé les liens avec le Piémont, pour "
                    "le travail comme pour le commerce. Les créneaux d'ouverture restreints "
                    "compliquent tout.",
                ),
                (
                    "Encore trop de zones blanches",
                    "Entre le village et le col, on perd tout réseau. Pour les secours, les "
                    "bergers et les randonneurs, c'est un vrai problème de sécurité.",
                ),
                (
                    "Trajets vers Monaco saturés matin et soir",
                    "Les bouchons pour rejoindre Monaco font perdre plus d'une heure par jour "
                    "aux frontaliers. Le train est bondé et les cars toujours en retard.",
                ),
                (
                    "Stationnement anarchique tout l'été",
                    "En juillet et août, les voitures se garent partout, y compris devant les "
                    "accès pompiers. Le reste de l'année, les places restent vides.",
                ),
                (
                    "Murets et restanques qui s'écroulent",
                    "Beaucoup de murs en pierre sèche le long des routes s'effondrent faute "
                    "d'entretien. Les talus se fragilisent et les glissements de terrain se "
                    "multiplient.",
                ),
                (
                    "Des virages au-dessus du vide sans glissière",
                    "Plusieurs virages de la départementale n'ont aucun garde-corps. La nuit "
                    "ou dans le brouillard, on a peur pour les jeunes conducteurs.",
                ),
                (
                    "Trop peu de trains vers Nice",
                    "Les trains sont trop espacés et souvent supprimés au dernier moment. "
                    "Impossible de compter dessus pour aller travailler ou étudier sur la "
                    "côte.",
                ),
            ],
        },
        "economic-development": {
            "proposal": [
                (
                    "Un marché de producteurs à {commune}",
                    "Un petit marché le dimanche matin sur la place, avec fromagers, "
                    "maraîchers et apiculteurs de la vallée, ferait vivre le village et les "
                    "exploitations.",
                ),
                (
                    "Un tiers-lieu avec coworking dans l'ancienne école",
                    "L'ancienne école pourrait accueillir un coworking avec une bonne "
                    "connexion. Les télétravailleurs n'auraient plus à descendre à Nice et le "
                    "village vivrait en semaine.",
                ),
                (
                    "Un magasin de producteurs en circuit court",
                    "Un point de vente collectif pour l'huile d'olive, le miel, les fromages "
                    "de chèvre et les légumes du coin, tenu à tour de rôle par les "
                    "producteurs eux-mêmes.",
                ),
                (
                    "Allonger la saison touristique",
                    "Des randonnées d'automne, des sorties raquettes et des séjours autour de "
                    "l'olive au printemps éviteraient aux gîtes et restaurants de fermer huit "
                    "mois par an.",
                ),
                (
                    "Aider un jeune berger à s'installer",
                    "Des terrains communaux et une cabane pastorale rénovée permettraient à "
                    "un jeune éleveur de s'installer. Les pâturages seraient entretenus et le "
                    "risque d'incendie réduit.",
                ),
                (
                    "Remettre en culture les restanques abandonnées",
                    "Beaucoup d'oliviers et de terrasses sont à l'abandon. Une bourse aux "
                    "terres entre propriétaires et jeunes agriculteurs permettrait de les "
                    "relancer.",
                ),
                (
                    "Des logements pour les saisonniers",
                    "Les saisonniers ne trouvent rien à louer à cause des meublés "
                    "touristiques. Réhabiliter quelques logements communaux pour eux aiderait "
                    "les commerces à recruter.",
                ),
                (
                    "Un multiple rural pour garder un commerce",
                    "Depuis la fermeture de l'épicerie, on fait 25 km pour acheter du pain. "
                    "Un commerce multiservice avec épicerie, dépôt de pain, relais colis et "
                    "bar redonnerait vie à {commune}.",
                ),
                (
                    "Une marque commune pour les produits de la vallée",
                    "Les produits du coin gagneraient à être vendus sous une même étiquette, "
                    "des deux côtés de la frontière, avec une boutique en ligne partagée.",
                ),
            ],
            "report": [
                (
                    "La dernière boulangerie a fermé",
                    "La boulangerie de {commune} a baissé le rideau et personne ne la "
                    "reprend. Les anciens qui ne conduisent pas n'ont plus de pain frais.",
                ),
                (
                    "Des vitrines vides dans la rue principale",
                    "Quatre locaux commerciaux sont vides depuis des années, avec des loyers "
                    "bien trop élevés. Le centre se vide et donne une image de village mort.",
                ),
                (
                    "Attaques de loup sur l'alpage",
                    "Plusieurs brebis ont été tuées cet été sur l'alpage au-dessus de "
                    "{commune}. Les indemnisations tardent et le berger parle d'arrêter.",
                ),
                (
                    "Trop de paperasse pour les petits producteurs",
                    "Pour vendre au marché ou transformer à la ferme, les normes et les "
                    "dossiers découragent les petits producteurs. Personne n'est là pour les "
                    "accompagner.",
                ),
                (
                    "Les meublés touristiques chassent les habitants",
                    "De plus en plus de maisons sont louées à la semaine. Les familles ne "
                    "trouvent plus rien à l'année et l'école perd des élèves.",
                ),
                (
                    "Balisage des sentiers à refaire",
                    "Les balises ont disparu sur plusieurs itinéraires et les randonneurs se "
                    "perdent. Dommage, car ce sont eux qui font vivre nos gîtes et nos "
                    "restaurants.",
                ),
                (
                    "Zone artisanale sans connexion correcte",
                    "Les artisans de la zone d'activités n'ont qu'un débit très faible. "
                    "Envoyer un devis ou facturer en ligne relève de l'exploit.",
                ),
                (
                    "Le moulin à huile n'a pas rouvert",
                    "Le moulin n'a pas rouvert cette saison, faute de bénévoles et de mise "
                    "aux normes. Les oléiculteurs doivent faire presser leurs olives bien "
                    "plus loin.",
                ),
                (
                    "Aucun panneau vers les producteurs locaux",
                    "Les touristes traversent {commune} sans savoir qu'il y a une fromagerie "
                    "et un domaine viticole à deux kilomètres. Il n'existe aucune "
                    "signalétique.",
                ),
            ],
            "observation-positive": [
                (
                    "Le marché paysan attire du monde",
                    "Le marché du vendredi soir attire habitants et vacanciers tout l'été. "
                    "Les producteurs vendent bien et l'ambiance sur la place est formidable.",
                ),
                (
                    "De jeunes familles s'installent au village",
                    "Trois jeunes familles se sont installées à {commune} cette année grâce "
                    "au télétravail. On sent un vrai renouveau.",
                ),
                (
                    "La transhumance, une fête qui rassemble",
                    "La montée des troupeaux en alpage est devenue une fête qui attire du "
                    "monde de toute la vallée et met en valeur le travail des bergers.",
                ),
                (
                    "Les fromages d'alpage se vendent jusqu'à Nice",
                    "Les tommes et la brousse de la vallée sont désormais vendues sur la "
                    "côte. Les éleveurs commencent à vivre correctement de leur production.",
                ),
                (
                    "Des liens qui se renforcent avec l'Italie",
                    "Les foires communes avec les producteurs italiens de l'autre côté du col "
                    "se développent. Les échanges de clients et d'idées profitent à tout le "
                    "monde.",
                ),
                (
                    "Les gîtes affichent complet au printemps",
                    "Les randonneurs reviennent hors saison, notamment pour la vallée des "
                    "Merveilles. Gîtes et restaurants tournent bien mieux qu'avant.",
                ),
                (
                    "L'épicerie reprise par un jeune couple",
                    "La reprise de l'épicerie est une réussite : produits locaux, dépôt de "
                    "pain, relais colis. C'est redevenu le cœur du village.",
                ),
                (
                    "Des oliveraies remises en culture",
                    "Plusieurs terrains abandonnés ont été taillés ou replantés par de jeunes "
                    "agriculteurs. Le paysage en terrasses reprend vie autour de {commune}.",
                ),
                (
                    "Les vins du coin à la carte des restaurants",
                    "Les vignerons de la vallée décrochent des médailles et les restaurateurs "
                    "de la côte mettent leurs bouteilles à la carte. Une belle reconnaissance "
                    "pour le terroir.",
                ),
            ],
            "observation-negative": [
                (
                    "Un village qui ne vit que deux mois par an",
                    "L'été tout est ouvert, mais d'octobre à mai {commune} est presque désert "
                    ": restaurants fermés, volets clos. On ne peut pas vivre que du tourisme.",
                ),
                (
                    "Les jeunes partent faute d'emploi",
                    "Après le lycée, la plupart des jeunes partent à Nice ou plus loin, faute "
                    "de travail sur place. Bientôt il ne restera que des retraités.",
                ),
                (
                    "Tout le monde travaille à Monaco",
                    "Presque tous les actifs travaillent à Monaco ou à Nice. Le village "
                    "devient une cité-dortoir et l'économie locale s'étiole.",
                ),
                (
                    "Du foncier agricole introuvable",
                    "Les terres sont morcelées, les propriétaires introuvables ou pas "
                    "vendeurs. Impossible pour un jeune de s'installer en agriculture.",
                ),
                (
                    "L'immobilier hors de prix pour les gens d'ici",
                    "Avec les résidences secondaires, les prix ont flambé. Les enfants du "
                    "pays ne peuvent plus acheter ni même louer à {commune}.",
                ),
                (
                    "Le pastoralisme en sursis",
                    "Entre le loup, les prix bas et l'isolement, de moins en moins de bergers "
                    "tiennent le coup. Les alpages se referment et la forêt gagne.",
                ),
                (
                    "Les commerces ferment les uns après les autres",
                    "En dix ans, on a perdu la poste, le café et la boucherie. Chaque "
                    "fermeture pousse encore quelques familles à partir.",
                ),
                (
                    "Une économie pas remise de la tempête",
                    "Depuis la tempête Alex, la fréquentation a chuté et certains "
                    "hébergements n'ont jamais rouvert. La vallée peine à se relever.",
                ),
                (
                    "Des artisans introuvables",
                    "Pour une toiture ou une fuite, il faut attendre des mois : les artisans "
                    "sont rares, âgés et débordés. Beaucoup de chantiers restent en plan.",
                ),
            ],
        },
        "health-social": {
            "proposal": [
                (
                    "Une maison de santé pour la vallée",
                    "Regrouper médecin généraliste, infirmières et kiné dans une maison de "
                    "santé à {commune} aiderait à attirer de jeunes praticiens.",
                ),
                (
                    "Une cabine de téléconsultation à la mairie",
                    "Une cabine de téléconsultation, avec une infirmière présente deux "
                    "demi-journées par semaine, éviterait une heure de route pour un simple "
                    "renouvellement d'ordonnance.",
                ),
                (
                    "Du transport solidaire pour les rendez-vous médicaux",
                    "Un réseau de chauffeurs bénévoles pourrait conduire les personnes âgées "
                    "à l'hôpital de Nice ou de Menton, avec un petit défraiement.",
                ),
                (
                    "Un café des aînés chaque semaine",
                    "Un après-midi convivial à la salle des fêtes pour les personnes isolées "
                    ": jeux, goûter, discussions. Beaucoup ne voient personne de la semaine.",
                ),
                (
                    "Un médecin qui passe dans les hameaux",
                    "Un médecin ou une infirmière qui tiendrait une permanence dans les "
                    "hameaux éviterait aux anciens de renoncer aux soins.",
                ),
                (
                    "Un défibrillateur dans chaque hameau",
                    "Avec les secours à quarante minutes, un défibrillateur accessible et une "
                    "formation aux gestes qui sauvent pour les habitants pourraient sauver "
                    "des vies.",
                ),
                (
                    "Portage de repas à domicile",
                    "Un service de portage de repas, même trois fois par semaine, permettrait "
                    "aux anciens de rester chez eux plus longtemps et en sécurité.",
                ),
                (
                    "Un local pour les ados",
                    "Les adolescents de {commune} n'ont aucun endroit où se retrouver. Un "
                    "local jeunes avec un animateur quelques soirs par semaine changerait "
                    "leur quotidien.",
                ),
                (
                    "Loger gratuitement les internes en médecine",
                    "Proposer un logement aux internes et aux remplaçants faciliterait leur "
                    "venue dans la vallée. Certains finiraient peut-être par s'installer.",
                ),
            ],
            "report": [
                (
                    "Plus de médecin traitant depuis le départ du docteur",
                    "Depuis le départ à la retraite du docteur, des centaines d'habitants "
                    "n'ont plus de médecin traitant. Le cabinet le plus proche ne prend plus "
                    "de nouveaux patients.",
                ),
                (
                    "Une heure pour voir arriver l'ambulance",
                    "Il a fallu plus d'une heure pour qu'une ambulance arrive à {commune} "
                    "pour une voisine tombée chez elle. L'hélicoptère ne peut pas toujours "
                    "voler.",
                ),
                (
                    "Pharmacie de garde à 45 minutes le dimanche",
                    "Le dimanche, la pharmacie de garde la plus proche est à trois quarts "
                    "d'heure de route. Avec un enfant fiévreux, c'est très compliqué.",
                ),
                (
                    "Des anciens isolés tout l'hiver",
                    "Plusieurs anciens du hameau vivent seuls, sans voiture ni famille à "
                    "proximité. Quand la route est enneigée, personne ne passe les voir.",
                ),
                (
                    "Aides à domicile introuvables",
                    "Les services d'aide à domicile manquent de personnel pour monter jusqu'à "
                    "{commune}. Des personnes dépendantes restent sans aide plusieurs jours.",
                ),
                (
                    "Mairie inaccessible en fauteuil",
                    "La mairie et la salle des fêtes ne sont accessibles que par des "
                    "escaliers. Les personnes en fauteuil ou avec des béquilles ne peuvent "
                    "pas y entrer.",
                ),
                (
                    "Six mois d'attente chez le dentiste",
                    "Six mois pour un rendez-vous chez le dentiste, et il faut descendre sur "
                    "la côte. Beaucoup finissent par renoncer à se soigner.",
                ),
                (
                    "EHPAD complet, familles sans solution",
                    "La liste d'attente de l'EHPAD dépasse un an. Les familles s'occupent "
                    "seules de parents très dépendants et s'épuisent.",
                ),
                (
                    "Aucune permanence sociale dans la vallée",
                    "Pour voir une assistante sociale, il faut aller en ville. Les personnes "
                    "en difficulté n'ont souvent ni voiture ni internet.",
                ),
            ],
            "observation-positive": [
                (
                    "Les infirmières libérales, un pilier",
                    "Les deux infirmières qui sillonnent la vallée par tous les temps sont "
                    "indispensables. Grâce à elles, beaucoup d'anciens restent chez eux.",
                ),
                (
                    "La maison de santé tient ses promesses",
                    "Depuis l'ouverture de la maison de santé, on trouve médecin, infirmière "
                    "et sage-femme au même endroit. Les délais ont vraiment baissé.",
                ),
                (
                    "Une belle solidarité entre voisins",
                    "Quand il neige, les voisins font les courses pour les plus âgés et "
                    "passent vérifier que tout va bien. L'entraide reste forte à {commune}.",
                ),
                (
                    "Un club des aînés très actif",
                    "Le club organise repas, sorties et ateliers mémoire. Pour les personnes "
                    "seules, c'est un vrai lien avec le reste du village.",
                ),
                (
                    "La téléconsultation, pratique pour les ordonnances",
                    "La cabine installée à la pharmacie permet d'obtenir une ordonnance sans "
                    "descendre en ville. Simple et efficace.",
                ),
                (
                    "Les chauffeurs bénévoles rendent un service immense",
                    "L'association qui conduit les anciens à leurs rendez-vous médicaux fait "
                    "un travail remarquable. Elle mériterait d'être davantage soutenue.",
                ),
                (
                    "Des pompiers volontaires réactifs",
                    "Les pompiers volontaires du village interviennent vite et connaissent "
                    "tout le monde. Leur présence rassure énormément.",
                ),
                (
                    "La gym douce a du succès chez les seniors",
                    "Les séances de gym douce et de marche nordique proposées par la commune "
                    "font le plein. On garde la forme et on se voit.",
                ),
                (
                    "Un cadre de vie qui fait du bien",
                    "Vivre à {commune}, au calme, entre montagne et mer, c'est bon pour la "
                    "santé et le moral. Les nouveaux arrivants le disent tous.",
                ),
            ],
            "observation-negative": [
                (
                    "Un désert médical qui s'aggrave",
                    "Les médecins partent à la retraite sans être remplacés. Dans la vallée, "
                    "on ne compte plus qu'un généraliste pour des milliers d'habitants.",
                ),
                (
                    "L'hôpital trop loin en cas d'urgence",
                    "L'hôpital le plus proche est à plus d'une heure de {commune}, davantage "
                    "quand la route est coupée. Chaque urgence est une angoisse.",
                ),
                (
                    "Vieillissement et solitude",
                    "La population vieillit et beaucoup de personnes vivent seules. Sans "
                    "commerce ni café, les occasions de se croiser disparaissent.",
                ),
                (
                    "Rien pour la petite enfance",
                    "Aucune crèche et aucune assistante maternelle dans la vallée. Les jeunes "
                    "parents, surtout les mères, renoncent souvent à travailler.",
                ),
                (
                    "Santé mentale, aucun suivi possible",
                    "Trouver un psychologue relève de l'exploit. Les jeunes en souffrance "
                    "n'ont personne vers qui se tourner sans faire une heure de route.",
                ),
                (
                    "La tempête Alex a laissé des traces",
                    "Beaucoup d'habitants restent marqués par la tempête. Chaque alerte "
                    "orange fait remonter l'angoisse, et le soutien psychologique s'est "
                    "arrêté trop tôt.",
                ),
                (
                    "Une précarité cachée dans les villages",
                    "Derrière les belles façades, certaines familles peinent à se chauffer et "
                    "à se nourrir. La précarité se voit moins qu'en ville, mais elle est bien "
                    "réelle.",
                ),
                (
                    "Les spécialistes hors de portée",
                    "Cardiologue, ophtalmo, dermato : tout est à Nice, avec des délais "
                    "énormes. Pour ceux qui ne conduisent plus, c'est presque impossible.",
                ),
                (
                    "Peu de logements adaptés aux seniors",
                    "Les maisons de village ont des escaliers partout. Il n'existe aucun "
                    "logement de plain-pied pour les anciens qui voudraient rester à "
                    "{commune}.",
                ),
            ],
        },
        "services": {
            "proposal": [
                (
                    "Sauver la classe unique",
                    "Plutôt que de fermer l'école, la commune pourrait proposer des logements "
                    "aux familles avec enfants pour maintenir les effectifs.",
                ),
                (
                    "Un bus France Services itinérant",
                    "Un bus France Services qui passerait une fois par semaine aiderait pour "
                    "les démarches en ligne : impôts, CAF, retraite, carte grise.",
                ),
                (
                    "Un arrêt de car scolaire dans les hameaux",
                    "Le car scolaire ne monte pas jusqu'aux hameaux. Un arrêt supplémentaire "
                    "éviterait aux parents deux allers-retours par jour.",
                ),
                (
                    "Une médiathèque dans l'ancienne poste",
                    "Une petite médiathèque avec prêt de livres et accès internet dans "
                    "l'ancienne poste de {commune} créerait un lieu de rencontre pour tous "
                    "les âges.",
                ),
                (
                    "Des composteurs collectifs dans le village",
                    "Des composteurs partagés près des points de collecte réduiraient le "
                    "volume des poubelles qui débordent l'été.",
                ),
                (
                    "Ouvrir la mairie un samedi par mois",
                    "Pour ceux qui travaillent à Monaco ou à Nice, la mairie est toujours "
                    "fermée quand on rentre. Une permanence le samedi matin rendrait bien "
                    "service.",
                ),
                (
                    "Garderie et centre de loisirs",
                    "Une garderie matin et soir et un centre de loisirs pendant les vacances "
                    "permettraient aux parents de travailler sereinement.",
                ),
                (
                    "Un distributeur de billets et un relais colis",
                    "Il n'y a plus ni distributeur ni bureau de poste à {commune}. Un point "
                    "relais chez un commerçant avec retrait d'espèces serait très utile.",
                ),
                (
                    "Des ateliers numériques pour les seniors",
                    "Des cours d'initiation à l'ordinateur et au smartphone aideraient les "
                    "anciens à faire leurs démarches, désormais presque toutes en ligne.",
                ),
            ],
            "report": [
                (
                    "Les poubelles débordent chaque week-end",
                    "Les conteneurs près du parking ne sont pas vidés assez souvent en "
                    "saison. Les sangliers et les goélands éparpillent tout sur la route.",
                ),
                (
                    "Fermeture de classe annoncée à la rentrée",
                    "L'Éducation nationale annonce la fermeture d'une classe à {commune}. Les "
                    "enfants devront faire une heure de car par jour.",
                ),
                (
                    "La poste ouverte deux matinées par semaine",
                    "Le bureau de poste n'ouvre plus que deux matinées, avec des fermetures "
                    "imprévues. Retirer un recommandé devient mission impossible.",
                ),
                (
                    "Coupures d'eau à répétition l'été",
                    "Chaque été, l'eau est coupée ou la pression chute en soirée. Avec "
                    "l'afflux de vacanciers, le réseau ne suit plus.",
                ),
                (
                    "La déchetterie est bien trop loin",
                    "La déchetterie la plus proche est à trente kilomètres avec des horaires "
                    "très limités. Résultat : des dépôts sauvages dans les vallons.",
                ),
                (
                    "Dépôt sauvage dans le virage après le pont",
                    "Matelas, gravats, vieux frigo : les dépôts sauvages s'accumulent dans le "
                    "virage après le pont. Personne ne vient les enlever.",
                ),
                (
                    "Démarches en ligne impossibles sans aide",
                    "Pour refaire une carte d'identité ou déclarer ses impôts, tout passe par "
                    "internet. Sans connexion ni accompagnement, beaucoup d'habitants sont "
                    "perdus.",
                ),
                (
                    "Plus de cantine à l'école",
                    "Depuis la suppression de la cantine, il faut récupérer les enfants à "
                    "midi. C'est intenable pour les parents qui travaillent en bas.",
                ),
                (
                    "Rien pour les enfants le mercredi",
                    "Le mercredi, il n'y a ni centre de loisirs ni club sportif à {commune}. "
                    "Faute d'alternative, les enfants restent devant les écrans.",
                ),
            ],
            "observation-positive": [
                (
                    "L'école, cœur battant du village",
                    "Malgré ses petits effectifs, l'école reste le cœur du village, avec une "
                    "institutrice très investie et des échanges avec une classe italienne "
                    "voisine.",
                ),
                (
                    "L'agence postale communale fonctionne bien",
                    "Depuis que la mairie gère l'agence postale, les horaires sont plus "
                    "larges et l'accueil est très agréable.",
                ),
                (
                    "France Services, une aide précieuse",
                    "L'espace France Services aide les habitants pour leurs papiers sans "
                    "rendez-vous à rallonge. On y est très bien reçu.",
                ),
                (
                    "La collecte des déchets s'est améliorée",
                    "Les nouveaux points d'apport volontaire sont propres et bien vidés, même "
                    "en août. Le tri progresse nettement à {commune}.",
                ),
                (
                    "Une bibliothèque bénévole pleine de vie",
                    "La petite bibliothèque tenue par des bénévoles organise des lectures "
                    "pour les enfants et des trocs de livres. Un vrai lieu de rencontre.",
                ),
                (
                    "Le car scolaire, ponctuel et prudent",
                    "Le chauffeur du car scolaire est ponctuel et très prudent, même sous la "
                    "neige. Les parents sont rassurés.",
                ),
                (
                    "Des fêtes de village qui rassemblent",
                    "La fête patronale et le festival d'été réunissent toutes les générations "
                    "et font venir du monde de toute la vallée.",
                ),
                (
                    "Une eau de source excellente",
                    "L'eau du robinet de {commune}, captée en montagne, est excellente. Un "
                    "vrai luxe qu'il faut préserver.",
                ),
                (
                    "Une mairie réactive",
                    "Quand on signale un problème, la mairie répond vite et les agents "
                    "passent dans la semaine. C'est très appréciable.",
                ),
            ],
            "observation-negative": [
                (
                    "Les services publics s'en vont",
                    "Poste, trésorerie, gendarmerie : tout a été regroupé en ville. Chaque "
                    "démarche demande désormais une demi-journée de route.",
                ),
                (
                    "Des écoles menacées chaque année",
                    "Chaque printemps, on craint une nouvelle fermeture de classe. Sans "
                    "école, aucune jeune famille ne viendra s'installer.",
                ),
                (
                    "Tout en ligne, mais sans réseau",
                    "On nous demande de tout faire sur internet alors que la connexion est "
                    "mauvaise et que beaucoup d'anciens n'ont pas d'ordinateur.",
                ),
                (
                    "Aucune solution de garde d'enfants",
                    "Pas de crèche ni de garderie à {commune}. Sans grands-parents "
                    "disponibles, il est très difficile de travailler.",
                ),
                (
                    "La collecte des déchets dépassée l'été",
                    "La population triple en été et la collecte n'est pas dimensionnée pour "
                    "ça. Odeurs et sacs éventrés gâchent le village.",
                ),
                (
                    "Aucune vie culturelle l'hiver",
                    "Hors saison, pas de cinéma, pas de spectacle, aucune animation. Les "
                    "longues soirées d'hiver sont bien tristes.",
                ),
                (
                    "Les activités des jeunes toutes en ville",
                    "Pour le foot, la musique ou la danse, il faut descendre en ville "
                    "plusieurs fois par semaine. Tout repose sur les parents.",
                ),
                (
                    "Pas assez de logements communaux",
                    "Les rares logements communaux sont occupés et la liste d'attente est "
                    "longue. Enseignants et soignants ne trouvent pas à se loger.",
                ),
                (
                    "Plus de distributeur de billets",
                    "Le distributeur le plus proche est à vingt minutes. Pour les commerçants "
                    "comme pour les anciens qui paient en liquide, c'est un vrai problème.",
                ),
            ],
        },
    },
    "it": {
        "infrastructure": {
            "proposal": [
                (
                    "Corriera anche la domenica verso la costa",
                    "Una corsa della corriera la domenica tra {commune} e Ventimiglia "
                    "permetterebbe a chi non guida di andare al mare, a messa o a trovare i "
                    "parenti in ospedale.",
                ),
                (
                    "Un marciapiede lungo la provinciale fino alla scuola",
                    "I bambini camminano sul ciglio della provinciale per arrivare a scuola. "
                    "Basterebbe un marciapiede rialzato con un parapetto per stare tutti più "
                    "tranquilli.",
                ),
                (
                    "Mettere in sicurezza il versante che frana",
                    "Il versante sopra la strada comunale si muove a ogni pioggia forte. "
                    "Servono reti paramassi e un monitoraggio serio prima che succeda "
                    "qualcosa di grave.",
                ),
                (
                    "Banda larga anche nelle frazioni",
                    "La fibra arriva in piazza ma le frazioni sono ancora con un'ADSL a "
                    "singhiozzo. Chi lavora da casa o ha un'azienda agricola ha bisogno di "
                    "una connessione vera.",
                ),
                (
                    "Una ciclabile lungo il torrente",
                    "Una pista ciclabile sull'argine collegherebbe il paese al fondovalle in "
                    "sicurezza. Sarebbe utile ai ragazzi e porterebbe turismo in bici.",
                ),
                (
                    "Navetta per i frontalieri verso Monaco",
                    "Tanti di noi vanno ogni giorno a lavorare nel Principato. Una navetta "
                    "mattina e sera dalla stazione di Ventimiglia ridurrebbe traffico e "
                    "stress.",
                ),
                (
                    "Riaprire la mulattiera tra le frazioni",
                    "La vecchia mulattiera che unisce le frazioni è invasa dai rovi. "
                    "Sistemata, sarebbe un collegamento pedonale comodo e un bel percorso per "
                    "i turisti.",
                ),
                (
                    "Parcheggio di interscambio all'ingresso del paese",
                    "Un parcheggio a valle con una navetta estiva eviterebbe la sosta "
                    "selvaggia nei carruggi durante la stagione.",
                ),
                (
                    "Una colonnina di ricarica in piazza",
                    "Una colonnina per auto e bici elettriche in piazza a {commune} "
                    "servirebbe a residenti e turisti. Oggi la più vicina è a mezz'ora di "
                    "tornanti.",
                ),
            ],
            "report": [
                (
                    "Frana sulla provinciale ancora da rimuovere",
                    "Da due settimane una frana occupa mezza carreggiata e c'è un semaforo "
                    "provvisorio. Nessuno è ancora venuto a togliere il materiale.",
                ),
                (
                    "Sgombero neve in ritardo verso la frazione",
                    "Stamattina alle nove lo spazzaneve non era ancora passato. Chi deve "
                    "scendere a Cuneo per lavoro è rimasto bloccato a casa.",
                ),
                (
                    "Buche pericolose in via principale",
                    "La strada che attraversa {commune} è piena di buche profonde. Con la "
                    "pioggia non si vedono e chi va in motorino rischia di cadere.",
                ),
                (
                    "Crollato un tratto di muro di sostegno",
                    "Un pezzo del muro a secco che regge la strada è venuto giù dopo l'ultimo "
                    "temporale. Il rischio che ceda anche la carreggiata è concreto.",
                ),
                (
                    "Niente campo per il cellulare in valle",
                    "Per chilometri non c'è segnale, nemmeno per chiamare il 112. Se succede "
                    "qualcosa in strada o in montagna non si può chiedere aiuto.",
                ),
                (
                    "Internet lentissimo in tutto il paese",
                    "La connessione va a due mega quando va bene. Tra smart working e compiti "
                    "online, a {commune} siamo tagliati fuori.",
                ),
                (
                    "Corsa della corriera soppressa senza preavviso",
                    "La corsa delle 7 è sparita dall'orario invernale senza alcun avviso. I "
                    "ragazzi delle superiori arrivano tardi a scuola o non ci arrivano "
                    "proprio.",
                ),
                (
                    "Ponte con limite di peso da anni",
                    "Il ponte sul torrente ha un limite di 3,5 tonnellate da anni. Scuolabus, "
                    "camion del gasolio e mezzi agricoli devono fare un giro lunghissimo.",
                ),
                (
                    "Marciapiede sconnesso e pericoloso",
                    "Le lastre del marciapiede sono sollevate dalle radici dei platani. Gli "
                    "anziani inciampano e con il passeggino bisogna scendere in strada.",
                ),
            ],
            "observation-positive": [
                (
                    "Strada riaperta dopo la frana",
                    "In pochi mesi la strada è stata riaperta con un muro di sostegno nuovo e "
                    "le reti paramassi. Finalmente niente più giro lungo.",
                ),
                (
                    "Sgombero neve puntuale quest'inverno",
                    "Quest'anno lo spazzaneve è passato all'alba anche nelle frazioni più "
                    "alte. Un grazie di cuore agli operai del Comune.",
                ),
                (
                    "È arrivata la fibra",
                    "Con la banda larga arrivata a {commune}, alcuni giovani sono tornati a "
                    "vivere in paese lavorando da remoto. Un cambiamento enorme.",
                ),
                (
                    "La ferrovia del Tenda, un patrimonio",
                    "La linea Cuneo–Ventimiglia collega il Piemonte al mare tra gallerie e "
                    "viadotti spettacolari. È comoda per chi lavora e attira turisti da tutta "
                    "Europa.",
                ),
                (
                    "Orari della corriera finalmente comodi",
                    "Gli orari della corriera sono stati coordinati con treni e scuole. Si "
                    "riesce a fare andata e ritorno in giornata senza aspettare ore.",
                ),
                (
                    "Sentieri puliti e ben segnati",
                    "I sentieri intorno al paese sono stati ripuliti e segnati dai volontari "
                    "del CAI. Ora li percorrono anche le famiglie con i bambini.",
                ),
                (
                    "La ciclabile sul mare sempre piena",
                    "La pista ciclabile del Ponente sul vecchio tracciato ferroviario è "
                    "sempre affollata. Quando le opere si fanno, la gente le usa.",
                ),
                (
                    "Nuovo marciapiede illuminato fino al cimitero",
                    "Il nuovo marciapiede con i lampioni a led è molto apprezzato, "
                    "soprattutto dagli anziani che fanno la passeggiata serale.",
                ),
                (
                    "Parcheggio a valle ben organizzato",
                    "Il parcheggio all'ingresso ha liberato dalle auto il centro storico di "
                    "{commune}. Il borgo è più vivibile e più bello.",
                ),
            ],
            "observation-negative": [
                (
                    "Senza macchina non si vive",
                    "A {commune} passano due corriere al giorno e nessuna nei festivi. Chi "
                    "non guida, anziani e ragazzi, dipende sempre da qualcuno.",
                ),
                (
                    "Ogni allerta rossa isola la valle",
                    "A ogni allerta la strada chiude e restiamo isolati per giorni. Non "
                    "esiste un percorso alternativo sicuro.",
                ),
                (
                    "Il tunnel di Tenda chiuso troppo a lungo",
                    "La lunga chiusura del tunnel ha allungato di ore i viaggi verso la "
                    "Francia. Commercio e turismo ne hanno risentito pesantemente.",
                ),
                (
                    "Provinciali dimenticate dalla manutenzione",
                    "Asfalto rovinato, guard-rail mancanti, cunette intasate: le strade "
                    "provinciali di montagna sembrano abbandonate a se stesse.",
                ),
                (
                    "Aurelia e autostrada sempre in coda",
                    "Per andare a lavorare a Monaco si perdono ore in coda sull'Aurelia o al "
                    "casello di Ventimiglia. I treni sono pochi e sempre pieni.",
                ),
                (
                    "Un territorio fragile, frane continue",
                    "Tra fasce abbandonate e piogge sempre più violente, le frane sono "
                    "all'ordine del giorno. Manca una vera cura del territorio.",
                ),
                (
                    "Troppi buchi nella copertura telefonica",
                    "Tra il paese e il colle il telefono non prende. Per pastori, "
                    "escursionisti e soccorritori è un problema di sicurezza.",
                ),
                (
                    "Sosta selvaggia ad agosto",
                    "D'estate le auto parcheggiano ovunque, anche davanti ai passi carrai e "
                    "agli idranti. Il resto dell'anno i posti restano vuoti.",
                ),
                (
                    "Treni soppressi sulla linea di valle",
                    "Soppressioni e ritardi continui rendono impossibile affidarsi al treno "
                    "per andare al lavoro o a scuola.",
                ),
            ],
        },
        "economic-development": {
            "proposal": [
                (
                    "Un mercato contadino in piazza a {commune}",
                    "Un mercato contadino il sabato mattina con formaggi d'alpeggio, ortaggi, "
                    "miele e olio del posto darebbe vita alla piazza e un reddito ai "
                    "produttori.",
                ),
                (
                    "Recuperare le fasce abbandonate",
                    "Tanti uliveti terrazzati sono invasi dai rovi. Una banca della terra che "
                    "metta in contatto proprietari e giovani agricoltori potrebbe rimetterli "
                    "in produzione.",
                ),
                (
                    "Coworking nell'ex scuola elementare",
                    "L'ex scuola potrebbe diventare uno spazio di coworking con la fibra. "
                    "Attirerebbe lavoratori da remoto anche nei mesi fuori stagione.",
                ),
                (
                    "Una bottega di comunità",
                    "Dopo la chiusura dell'alimentari, una cooperativa di comunità potrebbe "
                    "gestire negozio, bar e punto ritiro pacchi, come già succede in altri "
                    "paesi delle Alpi.",
                ),
                (
                    "Alpeggi comunali ai giovani pastori",
                    "Affittare a canone agevolato gli alpeggi comunali ai giovani allevatori "
                    "e sistemare le baite aiuterebbe a non perdere la pastorizia.",
                ),
                (
                    "Turismo tutto l'anno, non solo ad agosto",
                    "Escursioni in autunno, ciaspolate d'inverno, sagre della castagna: si "
                    "potrebbe lavorare tutto l'anno invece di due mesi d'estate.",
                ),
                (
                    "Un marchio unico per i prodotti di valle",
                    "Olio taggiasco, Rossese, formaggi e castagne potrebbero avere un marchio "
                    "comune di valle, da vendere anche online e oltre confine.",
                ),
                (
                    "Un albergo diffuso nel centro storico",
                    "Con tante case vuote nel borgo, un albergo diffuso porterebbe turisti "
                    "tutto l'anno senza costruire nulla e darebbe lavoro in paese.",
                ),
                (
                    "Incentivi per chi apre bottega in paese",
                    "Affitti agevolati per i fondi sfitti e uno sportello per sbrigare la "
                    "burocrazia incoraggerebbero i giovani ad aprire un negozio o un "
                    "laboratorio a {commune}.",
                ),
            ],
            "report": [
                (
                    "Chiuso l'ultimo alimentari del paese",
                    "Con la chiusura dell'alimentari di {commune}, per pane e latte bisogna "
                    "fare venti minuti di curve. Gli anziani senza auto sono in difficoltà.",
                ),
                (
                    "Lupi e greggi, attacchi continui",
                    "Quest'estate ci sono stati diversi attacchi di lupo sull'alpeggio. I "
                    "rimborsi arrivano tardi e qualche allevatore sta pensando di smettere.",
                ),
                (
                    "Cinghiali che distruggono orti e fasce",
                    "I cinghiali rovinano orti, muretti a secco e uliveti. Molti hanno smesso "
                    "di coltivare perché non ne vale più la pena.",
                ),
                (
                    "Troppa burocrazia per i piccoli produttori",
                    "Per vendere formaggi o conserve fatte in azienda servono permessi e "
                    "adempimenti impossibili per una piccola realtà agricola.",
                ),
                (
                    "Frantoio chiuso, olive da portare lontano",
                    "Il frantoio del paese ha chiuso e ora bisogna portare le olive a "
                    "chilometri di distanza. Per i piccoli produttori non conviene più.",
                ),
                (
                    "Vetrine sfitte nel centro storico",
                    "Metà dei fondi commerciali del centro sono chiusi da anni. Il paese "
                    "sembra abbandonato, anche agli occhi dei turisti.",
                ),
                (
                    "Nessun cartello per le aziende agricole",
                    "I turisti passano senza sapere che a due chilometri ci sono un "
                    "caseificio e una cantina. Mancano cartelli e informazioni.",
                ),
                (
                    "Case affittate solo ai turisti",
                    "Sempre più case sono affittate a settimana ai turisti. Le giovani coppie "
                    "non trovano un affitto annuale e se ne vanno da {commune}.",
                ),
                (
                    "Sentieri senza segnavia",
                    "Molti sentieri non hanno più segnavia e gli escursionisti si perdono. È "
                    "un peccato, perché sono loro a far lavorare agriturismi e rifugi.",
                ),
            ],
            "observation-positive": [
                (
                    "Il mercato contadino è un successo",
                    "Il mercato del sabato richiama gente anche dai paesi vicini. I "
                    "produttori vendono tutto e la piazza torna a vivere.",
                ),
                (
                    "Giovani che tornano alla terra",
                    "Alcuni ragazzi di {commune} hanno ripreso i terreni dei nonni con ulivi, "
                    "vigne e orti. Fa ben sperare per il futuro.",
                ),
                (
                    "La transumanza richiama visitatori",
                    "La salita delle greggi all'alpeggio è diventata una festa che attira "
                    "visitatori e fa conoscere il lavoro dei pastori.",
                ),
                (
                    "Il Rossese va forte",
                    "Il vino del territorio è sempre più apprezzato e le cantine esportano "
                    "anche all'estero. È un orgoglio per tutta la valle.",
                ),
                (
                    "Agriturismi pieni anche in primavera e autunno",
                    "Escursionisti e ciclisti arrivano anche fuori stagione. Gli agriturismi "
                    "della zona ormai lavorano quasi tutto l'anno.",
                ),
                (
                    "Buona collaborazione con i vicini francesi",
                    "Fiere e mercati comuni con i paesi oltre confine funzionano bene. "
                    "Scambiarsi clienti e idee fa bene a tutti.",
                ),
                (
                    "La bottega di comunità ha riaperto",
                    "La cooperativa che ha riaperto il negozio del paese è un esempio: "
                    "prodotti locali, pane fresco e un posto dove fare due chiacchiere.",
                ),
                (
                    "Formaggi d'alpeggio premiati",
                    "I formaggi degli alpeggi sopra {commune} hanno vinto dei premi e ora si "
                    "trovano anche nelle botteghe di Cuneo e Torino.",
                ),
                (
                    "Lo smart working ripopola il borgo",
                    "Grazie alla fibra, qualche famiglia dalla città si è trasferita qui "
                    "lavorando da remoto. Le case chiuse da anni si riaprono.",
                ),
            ],
            "observation-negative": [
                (
                    "Un paese vivo solo d'estate",
                    "A luglio e agosto è tutto aperto, poi da ottobre {commune} si svuota: "
                    "bar chiusi, persiane abbassate, nessuno in giro.",
                ),
                (
                    "I giovani se ne vanno",
                    "Finita la scuola, quasi tutti i ragazzi vanno a lavorare sulla costa o "
                    "in città. Qui restano solo gli anziani.",
                ),
                (
                    "Tutti frontalieri, paese dormitorio",
                    "Quasi tutti lavorano a Monaco o in Costa Azzurra. Il paese diventa un "
                    "dormitorio e l'economia locale non cresce.",
                ),
                (
                    "Terreni frammentati e incolti",
                    "Le proprietà sono divise tra decine di eredi, molti emigrati. Recuperare "
                    "un terreno per coltivarlo è quasi impossibile.",
                ),
                (
                    "Case troppo care per chi ci vive",
                    "Con le seconde case e gli acquirenti stranieri i prezzi sono saliti alle "
                    "stelle. I figli del paese non possono permettersi di restare.",
                ),
                (
                    "La pastorizia sta scomparendo",
                    "Tra lupi, prezzi bassi e solitudine, i pastori sono sempre meno. Gli "
                    "alpeggi si chiudono e il bosco avanza.",
                ),
                (
                    "Negozi che chiudono uno dopo l'altro",
                    "In dieci anni hanno chiuso la macelleria, l'edicola e la banca. Ogni "
                    "chiusura spinge altre famiglie ad andarsene.",
                ),
                (
                    "L'alluvione ha lasciato il segno sull'economia",
                    "Dopo l'alluvione del 2020 diverse attività non hanno più riaperto e i "
                    "turisti sono calati. La valle fatica a riprendersi.",
                ),
                (
                    "Artigiani introvabili",
                    "Per un idraulico o un muratore bisogna aspettare mesi. Gli artigiani "
                    "sono pochi, anziani e pieni di lavoro.",
                ),
            ],
        },
        "health-social": {
            "proposal": [
                (
                    "Una casa della comunità in valle",
                    "Riunire medico di base, infermiere di comunità e punto prelievi in una "
                    "casa della comunità a {commune} eviterebbe di scendere in città per ogni "
                    "esame.",
                ),
                (
                    "Ambulatorio aperto più giorni a settimana",
                    "Il medico riceve in paese solo il martedì mattina. Un secondo giorno di "
                    "ambulatorio aiuterebbe gli anziani che non possono spostarsi.",
                ),
                (
                    "Un'infermiera di famiglia per le frazioni",
                    "Un'infermiera che passi regolarmente nelle frazioni per medicazioni, "
                    "pressione e prelievi eviterebbe viaggi faticosi ai più fragili.",
                ),
                (
                    "Trasporto sociale per visite e terapie",
                    "Un servizio di volontari che accompagni gli anziani alle visite a "
                    "Sanremo o a Cuneo sarebbe di enorme aiuto per tante famiglie.",
                ),
                (
                    "Defibrillatori e corsi di primo soccorso",
                    "Con l'ambulanza che impiega quaranta minuti, servono defibrillatori in "
                    "ogni frazione e corsi per imparare a usarli.",
                ),
                (
                    "Telemedicina in farmacia",
                    "Con un servizio di telemedicina in farmacia si potrebbero fare "
                    "elettrocardiogrammi e controlli senza scendere all'ospedale.",
                ),
                (
                    "Un centro d'incontro per anziani",
                    "Un locale aperto qualche pomeriggio a settimana per carte, tombola e due "
                    "chiacchiere combatterebbe la solitudine di tanti anziani.",
                ),
                (
                    "Uno spazio per i ragazzi",
                    "I ragazzi di {commune} non hanno un posto dove ritrovarsi. Un centro "
                    "giovani con un educatore darebbe loro un'alternativa alla panchina.",
                ),
                (
                    "Alloggi per medici e infermieri",
                    "Offrire un alloggio ai giovani medici e infermieri che accettano di "
                    "lavorare in valle potrebbe convincerli a restare.",
                ),
            ],
            "report": [
                (
                    "Senza medico di base dopo il pensionamento",
                    "Da quando il dottore è andato in pensione, centinaia di persone sono "
                    "senza medico di base. Quelli dei paesi vicini non accettano nuovi "
                    "pazienti.",
                ),
                (
                    "Ambulanza arrivata dopo un'ora",
                    "L'altro giorno l'ambulanza ha impiegato oltre un'ora per arrivare a "
                    "{commune}. In montagna ogni minuto conta.",
                ),
                (
                    "Guardia medica chiusa di notte",
                    "La guardia medica turistica apre solo d'estate e di notte non c'è "
                    "nessuno. Bisogna andare al pronto soccorso a un'ora di distanza.",
                ),
                (
                    "Farmacia di turno lontanissima",
                    "La domenica la farmacia di turno più vicina è a tre quarti d'ora. Con un "
                    "bambino con la febbre è un problema serio.",
                ),
                (
                    "Anziani soli senza assistenza",
                    "Diverse persone anziane vivono sole nelle frazioni, senza auto né "
                    "parenti vicini. D'inverno nessuno passa a vedere come stanno.",
                ),
                (
                    "Assistenza domiciliare insufficiente",
                    "Gli operatori dell'assistenza domiciliare sono troppo pochi per coprire "
                    "tutta la valle. Alcuni anziani aspettano giorni prima di ricevere aiuto.",
                ),
                (
                    "Barriere architettoniche in municipio",
                    "L'ingresso del municipio ha solo scale. Chi è in carrozzina non può "
                    "entrare nemmeno per chiedere un certificato.",
                ),
                (
                    "Liste d'attesa infinite per le visite",
                    "Per una visita cardiologica o oculistica si aspettano mesi, e poi "
                    "bisogna andare lontano. Tanti rinunciano a curarsi.",
                ),
                (
                    "Nessuno sportello dei servizi sociali",
                    "Per parlare con un'assistente sociale bisogna andare in città. Chi è in "
                    "difficoltà spesso non ha né auto né internet.",
                ),
            ],
            "observation-positive": [
                (
                    "L'infermiera di comunità fa la differenza",
                    "Da quando c'è l'infermiera di comunità, gli anziani delle frazioni sono "
                    "seguiti a casa. Un servizio preziosissimo.",
                ),
                (
                    "I volontari della pubblica assistenza ci sono sempre",
                    "I militi della Croce Rossa e della pubblica assistenza sono pronti a "
                    "ogni ora. Senza di loro la valle sarebbe molto più sola.",
                ),
                (
                    "Vicini solidali quando nevica",
                    "Quando nevica i vicini fanno la spesa per gli anziani e spalano davanti "
                    "alle loro porte. A {commune} ci si aiuta ancora.",
                ),
                (
                    "L'ambulatorio rinnovato in paese",
                    "L'ambulatorio ristrutturato è accogliente e senza barriere. Il medico "
                    "viene due volte a settimana e si trova sempre posto.",
                ),
                (
                    "Il centro anziani, un punto di riferimento",
                    "Pranzi, gite e attività al centro anziani aiutano chi vive solo a "
                    "sentirsi parte della comunità.",
                ),
                (
                    "Ginnastica dolce per la terza età",
                    "I corsi di ginnastica e di camminata organizzati dal Comune sono "
                    "frequentatissimi. Ci si tiene in forma e si sta in compagnia.",
                ),
                (
                    "Trasporto per le terapie che funziona",
                    "Il servizio di trasporto dei volontari per dialisi e visite funziona "
                    "benissimo. Molte famiglie sono riconoscenti.",
                ),
                (
                    "Aria buona e vita sana",
                    "Vivere qui tra monti e mare, con cibo genuino e tanta tranquillità, fa "
                    "bene alla salute. Chi arriva dalla città se ne accorge subito.",
                ),
                (
                    "Telemedicina in farmacia, comodissima",
                    "Poter fare l'elettrocardiogramma nella farmacia di {commune} evita "
                    "viaggi lunghi e attese al pronto soccorso.",
                ),
            ],
            "observation-negative": [
                (
                    "Montagna senza medici",
                    "I medici vanno in pensione e nessuno li sostituisce. Nell'entroterra ci "
                    "sono intere vallate senza un medico di base.",
                ),
                (
                    "Ospedale troppo lontano",
                    "Il pronto soccorso più vicino è a oltre un'ora da {commune}, di più "
                    "quando la strada è chiusa per frana. Ogni emergenza fa paura.",
                ),
                (
                    "Anziani sempre più soli",
                    "La popolazione invecchia e molti vivono da soli. Senza bar né negozi "
                    "mancano anche le occasioni per incontrarsi.",
                ),
                (
                    "Niente per la prima infanzia",
                    "Nessun asilo nido né baby-sitter in valle. Le mamme spesso rinunciano a "
                    "lavorare.",
                ),
                (
                    "Salute mentale trascurata",
                    "Trovare uno psicologo qui è quasi impossibile. I ragazzi in difficoltà e "
                    "chi vive da solo non hanno alcun supporto.",
                ),
                (
                    "Una povertà nascosta",
                    "Dietro le belle facciate ci sono famiglie che faticano a pagare il "
                    "riscaldamento e la spesa. È una povertà silenziosa.",
                ),
                (
                    "Paura a ogni allerta meteo",
                    "Dopo l'alluvione molti vivono con l'ansia ogni volta che arriva "
                    "un'allerta. Nessuno ha pensato a un sostegno psicologico.",
                ),
                (
                    "Specialisti irraggiungibili",
                    "Per uno specialista bisogna andare a Sanremo, Imperia o Cuneo, con "
                    "attese lunghe. Per chi non guida è quasi impossibile.",
                ),
                (
                    "Case non adatte agli anziani",
                    "Le case del centro storico sono piene di scale e i carruggi sono ripidi. "
                    "Mancano alloggi per chi fa fatica a camminare.",
                ),
            ],
        },
        "services": {
            "proposal": [
                (
                    "Salvare la pluriclasse del paese",
                    "Invece di chiudere la scuola, il Comune potrebbe offrire case in affitto "
                    "agevolato alle famiglie con bambini per mantenere la pluriclasse.",
                ),
                (
                    "Scuolabus anche per le frazioni alte",
                    "Lo scuolabus si ferma al bivio e i bambini delle frazioni fanno "
                    "chilometri a piedi. Una fermata in più risolverebbe il problema.",
                ),
                (
                    "Uno sportello itinerante per le pratiche",
                    "Un pulmino con operatori di INPS, Agenzia delle Entrate e anagrafe che "
                    "passi una volta al mese aiuterebbe chi non sa usare lo SPID.",
                ),
                (
                    "Biblioteca e punto internet nell'ex ufficio postale",
                    "Una piccola biblioteca con computer e wi-fi gratuito a {commune} sarebbe "
                    "un luogo d'incontro e di studio per giovani e anziani.",
                ),
                (
                    "Compostiere di comunità",
                    "Delle compostiere condivise vicino ai punti di raccolta ridurrebbero i "
                    "rifiuti che d'estate traboccano dai cassonetti.",
                ),
                (
                    "Doposcuola e centro estivo",
                    "Un doposcuola pomeridiano e un centro estivo permetterebbero ai genitori "
                    "che lavorano sulla costa di organizzarsi.",
                ),
                (
                    "Un bancomat in paese",
                    "A {commune} non ci sono più né la banca né il bancomat. Uno sportello "
                    "automatico, magari all'ufficio postale, sarebbe utilissimo per anziani e "
                    "commercianti.",
                ),
                (
                    "Corsi di informatica per anziani",
                    "Corsi per imparare a usare smartphone, SPID e fascicolo sanitario "
                    "aiuterebbero gli anziani a non dipendere sempre dai figli.",
                ),
                (
                    "Municipio aperto il sabato mattina",
                    "Chi lavora a Monaco o a Sanremo non trova mai gli uffici aperti. Un "
                    "sabato mattina al mese sarebbe un bel servizio.",
                ),
            ],
            "report": [
                (
                    "Cassonetti che traboccano d'estate",
                    "I cassonetti vicino al parcheggio non vengono svuotati abbastanza in "
                    "alta stagione. Cinghiali e gabbiani spargono tutto per strada.",
                ),
                (
                    "Annunciata la chiusura della scuola",
                    "Si parla di chiudere la scuola di {commune} dall'anno prossimo. I "
                    "bambini dovrebbero fare un'ora di scuolabus al giorno.",
                ),
                (
                    "Ufficio postale aperto due mattine",
                    "L'ufficio postale apre solo due mattine a settimana e spesso resta "
                    "chiuso senza avviso. Ritirare una raccomandata è un'impresa.",
                ),
                (
                    "Acqua che manca d'estate",
                    "Ogni estate la sera manca l'acqua o la pressione crolla. Con i turisti "
                    "l'acquedotto non regge.",
                ),
                (
                    "Discarica abusiva dopo il ponte",
                    "Materassi, calcinacci ed elettrodomestici abbandonati nella curva dopo "
                    "il ponte. Nessuno viene a rimuoverli.",
                ),
                (
                    "Porta a porta disorganizzato",
                    "Da quando è partito il porta a porta, i giorni di raccolta cambiano di "
                    "continuo e i sacchetti restano fuori per giorni.",
                ),
                (
                    "Isola ecologica troppo lontana",
                    "Il centro di raccolta più vicino è a mezz'ora e apre poche ore alla "
                    "settimana. Così c'è chi abbandona gli ingombranti nei boschi.",
                ),
                (
                    "Mensa scolastica soppressa",
                    "Senza mensa, i genitori devono andare a prendere i figli a mezzogiorno. "
                    "Per chi lavora giù in costa è impossibile.",
                ),
                (
                    "Lampioni spenti nei carruggi",
                    "Diversi lampioni nei carruggi di {commune} sono spenti da mesi. La sera "
                    "è buio pesto e gli anziani hanno paura a uscire.",
                ),
            ],
            "observation-positive": [
                (
                    "La piccola scuola è il cuore del paese",
                    "Nonostante i pochi alunni, la scuola è viva, con maestre bravissime e "
                    "progetti insieme a una scuola francese oltre confine.",
                ),
                (
                    "Ufficio postale rinnovato",
                    "Con il progetto Polis l'ufficio postale è stato rinnovato e rilascia "
                    "anche certificati. Un bel passo avanti per un piccolo comune.",
                ),
                (
                    "La differenziata funziona",
                    "Il porta a porta funziona bene e il paese è più pulito. La percentuale "
                    "di differenziata a {commune} è cresciuta molto.",
                ),
                (
                    "Una biblioteca vivace",
                    "La biblioteca gestita dai volontari organizza letture per bambini e "
                    "presentazioni di libri. È un punto d'incontro per tutti.",
                ),
                (
                    "Scuolabus puntuale anche con la neve",
                    "L'autista dello scuolabus è sempre puntuale e prudente, anche d'inverno. "
                    "I genitori sono tranquilli.",
                ),
                (
                    "Feste e sagre che uniscono",
                    "La festa patronale e le sagre d'estate riuniscono tutte le generazioni e "
                    "fanno arrivare gente da tutta la valle.",
                ),
                (
                    "Acqua di sorgente ottima",
                    "L'acqua del rubinetto di {commune} arriva dalle sorgenti di montagna ed "
                    "è buonissima. Un bene da proteggere.",
                ),
                (
                    "Un Comune presente",
                    "Quando si segnala un problema, gli uffici rispondono in fretta e gli "
                    "operai intervengono in pochi giorni.",
                ),
                (
                    "Il punto di facilitazione digitale",
                    "Lo sportello di facilitazione digitale in biblioteca aiuta a fare lo "
                    "SPID e le pratiche online. Gli anziani ne sono entusiasti.",
                ),
            ],
            "observation-negative": [
                (
                    "I servizi spariscono dalla montagna",
                    "Posta, banca, caserma dei carabinieri: tutto accentrato in città. Per "
                    "ogni pratica serve mezza giornata.",
                ),
                (
                    "Scuole a rischio per pochi bambini",
                    "Ogni anno si teme la chiusura della scuola. Senza scuola nessuna giovane "
                    "famiglia verrà a vivere qui.",
                ),
                (
                    "Tutto online ma la rete non c'è",
                    "Ci chiedono di fare tutto con lo SPID, ma la connessione è pessima e "
                    "molti anziani non hanno un computer.",
                ),
                (
                    "Nessun asilo nido",
                    "A {commune} non c'è un nido né un servizio di baby-sitting. Senza nonni "
                    "vicini, lavorare è difficile.",
                ),
                (
                    "Rifiuti in crisi d'estate",
                    "D'estate la popolazione triplica e la raccolta non è dimensionata. Odori "
                    "e sacchetti rovinano il paese.",
                ),
                (
                    "D'inverno non c'è niente da fare",
                    "Fuori stagione niente cinema, niente concerti, nessun evento. Le serate "
                    "d'inverno sono lunghe e vuote.",
                ),
                (
                    "Sport e musica solo in città",
                    "Per calcio, danza o musica i ragazzi devono scendere in città più volte "
                    "a settimana. Tutto ricade sui genitori.",
                ),
                (
                    "Mancano case popolari",
                    "Gli alloggi comunali sono tutti occupati e la graduatoria è lunghissima. "
                    "Insegnanti e infermieri non trovano casa.",
                ),
                (
                    "Bancomat introvabile",
                    "Il bancomat più vicino è a venti minuti di strada. Per gli anziani che "
                    "usano i contanti è un vero problema.",
                ),
            ],
        },
    },
}


_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def _placeholders(text: str) -> set[str]:
    """Names of the format fields in `text` (raises ValueError on stray braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def check() -> None:
    """Assert the structure and the constraints of TEXTS."""
    assert set(TEXTS) == set(LANGUAGES), sorted(TEXTS)
    for lang in LANGUAGES:
        assert set(TEXTS[lang]) == set(THEMES), (lang, sorted(TEXTS[lang]))
        titles: set[str] = set()
        for theme in THEMES:
            assert set(TEXTS[lang][theme]) == set(KINDS), (lang, theme)
            for kind in KINDS:
                pairs = TEXTS[lang][theme][kind]
                where = (lang, theme, kind)
                assert len(pairs) >= MIN_PER_KIND, (where, len(pairs))
                for pair in pairs:
                    assert isinstance(pair, tuple) and len(pair) == 2, (where, pair)
                    title, description = pair
                    assert isinstance(title, str) and isinstance(description, str)
                    assert title.strip() == title and 0 < len(title) <= MAX_TITLE_LENGTH, title
                    assert description.strip() == description, description
                    assert 0 < len(description) <= MAX_DESCRIPTION_LENGTH, description
                    assert 1 <= len(_SENTENCE_END.findall(description)) <= 3, description
                    assert _SENTENCE_END.search(description[-1]), description
                    assert title not in titles, ("duplicate title", lang, title)
                    titles.add(title)
                    for text in pair:
                        assert _placeholders(text) <= {"commune"}, text
                        without = text.replace(PLACEHOLDER, "")
                        assert "{" not in without and "}" not in without, text


if __name__ == "__main__":
    check()
    print("OK")
