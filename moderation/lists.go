package moderation

// Built-in phrase lists for the hate, threat, criticism and spam stages.
// Phrases are written in plain words and folded like the text; "*" ends a
// prefix, "_" stands for any one word.

type phraseList struct {
	tag     tag
	lang    string
	phrases []string
}

// lure is a spam or scam bait.
type lure struct {
	name     string
	category Category
	score    float64
	lang     string
	phrases  []string
}

var builtinLists = []phraseList{
	{tagIdentity, "en", []string{
		"women", "woman", "females", "trans", "trans people", "transgender*", "gay", "gays", "gay people", "lesbian*",
		"homosexual*", "bisexual*", "black people", "blacks", "black men", "black women", "black person", "muslim*",
		"jew", "jews", "jewish", "arab", "arabs", "immigrant*", "migrant*", "refugee*", "foreigners", "asylum seekers",
		"disabled", "disabled people", "handicapped", "cripples", "people with disabilities", "mexicans", "asians",
		"africans", "latinos", "hispanics", "gypsies", "roma", "lgbt*", "non binary", "nonbinary", "queers",
	}},
	{tagIdentity, "fr", []string{
		"femme", "femmes", "meufs", "trans", "transgenre*", "transsexuel*", "homo", "homos", "homosexuel*", "gay", "gays",
		"lesbienne*", "bisexuel*", "les noirs", "des noirs", "ces noirs", "aux noirs", "un noir", "une noire", "les noires",
		"personnes noires", "black", "blacks", "musulman*", "juif", "juifs", "juive*", "arabe", "arabes", "immigre*",
		"immigrant*", "migrant*", "refugie*", "etrangers", "etrangeres", "handicape", "handicapes", "handicapee*",
		"personnes handicapees", "roms", "gitans", "asiatiques", "africains", "maghrebins", "lgbt*",
	}},
	{tagNeg, "en", []string{
		"hate", "hated", "hates", "hating", "hatred", "despise*", "detest*", "loath*", "abhor*", "disgust*", "disdain",
		"contempt", "scorn", "can't stand", "cannot stand", "sick of", "make me sick", "makes me sick", "repuls*",
		"revolting", "sickening", "furious", "rage", "boil with anger", "angry", "the worst", "nothing worse",
		"there is nothing worse", "scum", "dirt", "filth", "filthy", "trash", "garbage", "parasite*", "cockroach*",
		"vermin", "rat", "rats", "pest", "pests", "plague", "virus", "cancer", "subhuman*", "lesser beings",
		"waste of space", "animals", "beasts", "savages", "apes", "monkeys", "zoo", "cages", "a vet", "landfill",
		"insect", "infest*", "swarm*", "worthless", "worth nothing", "worth absolutely nothing", "aren't worth shit",
		"not worth shit", "worth shit", "despicable", "repugnant", "dishonest", "vile", "pathetic",
		"a threat to", "a danger to", "uncivilised", "uncivilized", "violent", "cruel", "ignorant", "stupid*",
		"dumb*", "brainless", "inferior", "evil", "disease", "fucked in the head", "assholes", "bastards",
		"scumbags", "prick", "shitty", "dickheads", "bullshit", "idiots", "morons", "no place in", "no place on",
		"no space on", "no right to", "smarter than", "more intelligent than", "more valuable than", "rather die",
		"rather have cancer", "kill myself", "nothing in the world i like less", "biggest mistake", "ruin our",
		"never trust", "dirt under my shoe", "fuck all", "fuck off", "get the fuck out", "go fuck themselves",
		"shut the fuck up", "motherfuckers", "shithead", "pissed off", "pissing me off", "not human", "a disgrace",
	}},
	{tagNeg, "fr", []string{
		"deteste*", "detest*", "hais", "hait", "haissent", "haine", "meprise*", "mepris", "execre*", "degout*",
		"degueulasse*", "supporte pas", "peux pas supporter", "peux vraiment pas supporter", "supporte plus", "nausee", "rendent malade",
		"rend malade", "me rendent", "les pires", "le pire", "la pire", "ras le bol", "marre", "furieux", "furieuse",
		"colere", "rage", "pourriture*", "ordure*", "dechet*", "racaille", "parasite*", "cafard*", "vermine*", "rat",
		"rats", "nuisible*", "fleau", "virus", "cancer", "sous hommes", "sous humain*", "etres inferieurs",
		"inferieur*", "animaux", "betes", "sauvage*", "singe*", "zoo*", "cage*", "veterinaire", "decharge", "insecte*",
		"infest*", "invasion*", "rebut", "rebus", "sans valeur", "ne vaut rien", "ne valent rien", "valent rien",
		"vaut rien", "valent moins", "que de la merde", "de la merde", "ne vaut pas un clou", "repoussant*", "abject*",
		"ignoble*", "immonde*", "pitoyable*", "malhonnete*", "une menace", "un danger", "violent*", "cruel*",
		"ignorant*", "crasseu*", "stupide*", "debile*", "abruti*", "idiot*", "irrecuperable*", "merdique*",
		"salaud*", "salopard*", "connard*", "enfoire*", "pas leur place", "n'ont pas leur place", "plus intelligent que",
		"prefererais mourir", "plutot mourir", "me suicider", "ne jamais faire confiance", "foutre le camp",
		"se faire enculer", "fermer leurs gueules", "font chier", "tetes de con", "trop repoussants", "ruine",
		"plus de valeur que", "pas humain*", "une honte",
	}},
	{tagViolence, "en", []string{
		"kill*", "murder*", "shoot*", "shot", "stab*", "hang", "hanged", "lynch*", "slaughter*", "exterminat*",
		"eradicat*", "execute*", "executed", "gas", "gassed", "burn", "burned", "drown*", "strangle*",
		"snap the necks", "snap _ neck", "cut _ throats", "cut their throats", "slit _ throat*", "rape*", "raping",
		"tortur*", "behead*", "massacre*", "get rid of", "die", "deserve to die", "should die", "death to",
		"be dead", "wiped out", "wipe out", "hurt", "attack*", "suffer", "better off without", "deport*",
		"put down", "locked up", "beat up", "bomb*",
	}},
	{tagViolence, "fr", []string{
		"tuer", "tue", "tuerai*", "tuerons", "buter", "crever", "egorge*", "poignard*", "massacr*", "extermin*",
		"eradiqu*", "abatt*", "pendre", "pendus", "execut*", "fusill*", "bruler", "noyer", "noie*", "etrangl*",
		"tortur*", "violer", "viole", "debarrass*", "mourir", "meurent", "mort a", "mort aux", "faire souffrir",
		"souffrir", "souffrent", "tirer dessus", "tirer une balle", "trancher _ gorge*", "tranche* _ gorge*",
		"gorge*", "briser _ cou", "mettre fin a la vie", "en finir", "assassiner", "frapper", "tabasser",
		"se porterait mieux sans", "attaquer", "bombard*", "deport*", "enferme*", "liquider", "cramer", "flinguer",
	}},
	{tagPositive, "en", []string{
		"compassion", "attractive", "intelligent", "smart", "clever", "equal", "human", "humans", "worthy",
		"worth", "matter", "important", "value", "valuable", "live", "living", "alive", "life", "save", "belong",
		"right", "rights", "space", "place", "member",
	}},
	{tagPositive, "fr", []string{
		"compassion", "attirant*", "intelligent*", "egal*", "humain*", "valeur", "vaut", "valent", "vivre", "vie",
		"vies", "vivant*", "sauver", "place", "droit*", "digne*", "meritent de vivre", "utile*",
	}},
	{tagNegation, "en", []string{"not", "no", "never", "nothing", "cannot", "nobody", "none", "without", "opposite of", "against"}},
	{tagNegation, "fr", []string{"ne", "pas", "jamais", "aucun", "aucune", "rien", "sans", "ni", "personne ne", "contraire"}},
	{tagCounter, "en", []string{
		"if you say", "saying", "say", "said", "says", "calling", "call", "called", "writing", "write", "wrote",
		"statements", "comments", "comment like", "threats", "posts", "messages", "stuff like", "things like",
		"stop", "shows how", "call out", "report", "blocked", "can't seriously believe", "hateful", "bigot*",
		"misguided", "small minded", "disheartening", "hurtful", "horrible thing", "not okay", "consequences",
		"jail", "prison", "banned", "kicked off", "opinion doesn't count", "take you to court", "will not tolerate",
		"hurts to see", "how can you", "telling", "tell", "told",
	}},
	{tagCounter, "fr", []string{
		"si vous dites", "dire que", "dire des choses", "dites", "dit que", "disent", "disant", "traiter", "traitez",
		"traite", "ecrire", "ecrit", "propos", "commentaire*", "messages", "menaces", "denoncer", "arreter de",
		"doit cesser", "cesser", "montre a quel point", "sectaire*", "signaler*", "signalerai", "prison", "bannir",
		"banni*", "haineux", "haineuse*", "fourvoyez", "honteux", "inacceptable de", "pas normal de",
		"ne tolererai pas", "au tribunal", "en justice", "publications", "des choses comme", "du type",
		"vous croyez vraiment", "insister", "continues a", "tu continues",
	}},
	{tagHomonymCtx, "en", []string{
		"dog", "dogs", "puppy", "puppies", "vet", "canine*", "bark*", "garden", "tool", "shed", "cigarette*",
		"smok*", "packet", "butcher", "dinner", "cook*", "meatball*", "bundle", "sticks", "fuel", "flood*", "sea",
		"beach", "water", "wall*", "embankment*", "marsh*", "raccoon*", "rooster", "chicken*", "hen", "farm",
		"cat", "cats", "kitten*", "weeds", "field", "vegetable*", "labrador", "breed*", "eaten", "delicious",
		"dyked", "hoeing", "walk on",
	}},
	{tagHomonymCtx, "fr", []string{
		"chat", "chats", "chaton*", "minou", "velo", "pedalo", "frein*", "piano", "mouche*", "insecte*", "moustique*",
		"laveur", "menageres", "poubelle*", "collecte", "dechetterie", "ferme", "jardin*", "engrais", "cheval",
		"chevaux", "compost", "bonbon*", "sucette*", "glace", "zoo", "animalerie",
	}},
	{tagGroupCue, "en", []string{
		"too many", "typical", "bunch of", "all", "these", "those", "like you", "nothing but", "just another",
		"just a", "you are", "you're", "u r", "ur a", "such a",
	}},
	{tagGroupCue, "fr", []string{
		"trop de", "typique", "bande de", "tous les", "toutes les", "ces", "comme toi", "comme vous", "rien d'autre",
		"juste un", "juste une", "sale", "sales", "espece de", "t'es", "tu es", "vous etes", "autre vulgaire",
		"les", "recommencent",
	}},
	{tagThreat, "en", []string{
		"you're dead", "you are dead", "ur dead", "you're a dead man", "you will die", "you're going to die",
		"you are going to die", "we know where you live", "i know where you live", "i'll find you", "i will find you",
		"watch your back", "kill yourself", "kill urself", "kys", "go die", "hope you die", "i hope you die",
		"you deserve to die", "i will kill you", "i'll kill you", "gonna kill you", "going to kill you",
		"you'll regret this", "i know where your kids", "sleep with one eye open", "i'm coming for you",
		"coming for you", "ur gonna die", "drop dead",
	}},
	{tagThreat, "fr", []string{
		"t'es mort", "tu es mort", "t'es un homme mort", "tu es un homme mort", "tu vas mourir", "tu vas crever",
		"vous allez mourir", "vous allez crever", "on sait ou tu habites", "je sais ou tu habites",
		"on sait ou t'habites", "je sais ou t'habites", "on sait ou vous habitez", "je sais ou vous habitez",
		"je vais te retrouver", "on va te retrouver", "je vais te tuer", "je vais te buter", "je vais te crever",
		"on va te tuer", "on va te buter", "va crever", "va mourir", "va te pendre", "pends toi", "creve",
		"j'espere que tu vas crever", "j'espere que tu creves", "tu merites de mourir", "fais gaffe a toi",
		"fais attention a toi", "je vais te defoncer", "je vais te faire la peau", "on va te faire la peau",
		"tu vas le regretter", "je connais ton adresse", "suicide toi",
	}},
	{tagIntent, "en", []string{
		"i will", "i'll", "i'm going to", "im going to", "i am going to", "i'm gonna", "im gonna", "gonna",
		"we will", "we'll", "we're going to", "we are going to", "i want to", "i wanna", "i'd love to",
		"i would love to", "let's", "lets", "someone should", "somebody should", "someone needs to", "i'm about to",
		"i swear", "i'd", "we should",
	}},
	{tagIntent, "fr", []string{
		"je vais", "j'vais", "je veux", "on va", "nous allons", "je vais te", "je vais vous", "j'aimerais",
		"je voudrais", "quelqu'un devrait", "on devrait", "nous devrions", "je te jure", "je compte", "j'ai envie de",
		"je te", "je vous",
	}},
	{tagService, "en", []string{
		"customer service", "service", "support", "order*", "delivery", "deliveries", "package", "parcel",
		"refund*", "product*", "app", "account", "subscription", "bill*", "invoice", "charged", "company", "brand",
		"store", "shop", "staff", "agent", "website", "warranty", "your", "you guys", "update", "price*",
	}},
	{tagService, "fr", []string{
		"service client", "service", "sav", "commande*", "livraison*", "livre*", "colis", "rembours*", "produit*",
		"appli*", "application", "compte", "abonnement", "factur*", "preleve*", "entreprise", "marque", "magasin",
		"boutique", "conseiller*", "site", "garantie", "votre", "vos", "vous", "mise a jour", "prix", "tarif*",
	}},
	{tagComplaint, "en", []string{
		"worst", "terrible", "awful", "horrible", "useless", "rubbish", "disappointed", "disappointing",
		"disappointment", "never again", "unacceptable", "ridiculous", "joke", "no response", "no answer",
		"no reply", "still no", "still waiting", "waiting for", "weeks", "days", "broken", "doesn't work",
		"does not work", "not working", "stopped working", "cancel*", "refund*", "give me my money back",
		"money back", "rip off", "ripoff", "scam", "scammed", "fraud", "overpriced", "complain*", "complaint",
		"poor", "bad", "sucks", "garbage service", "shame on you", "disgrace", "fix this", "fix it", "lost",
		"damaged", "late", "delayed", "nobody answers", "ignored", "unhappy", "angry", "furious", "fed up",
		"had enough",
	}},
	{tagComplaint, "fr", []string{
		"nul", "nuls", "nulle", "nulles", "pire", "lamentable", "honteux", "honte", "scandale", "scandaleux",
		"inadmissible", "inacceptable", "decu", "decue", "decus", "deception", "plus jamais", "sans reponse",
		"aucune reponse", "pas de reponse", "toujours pas", "toujours rien", "j'attends", "attente", "semaines",
		"jours", "mois", "en panne", "panne", "ne marche pas", "marche pas", "ne fonctionne pas", "fonctionne pas",
		"annul*", "resili*", "rembourse*", "remboursez moi", "arnaque", "arnaqueurs", "escroquerie", "escrocs",
		"voleurs", "vol", "trop cher", "plainte", "reclamation", "mecontent*", "furieux", "furieuse", "marre",
		"ras le bol", "perdu", "abime", "casse", "en retard", "retard", "personne ne repond", "ignore*", "bravo",
		"merci pour rien", "une blague", "foutage de gueule", "degoute*", "n'importe quoi", "pitoyable",
		"minable", "catastrophe", "catastrophique", "deplorable",
	}},
	{tagOpinion, "en", []string{"scam", "scammed", "scammers", "fraud", "rip off", "ripoff", "thieves", "crooks", "liars"}},
	{tagOpinion, "fr", []string{"arnaque", "arnaques", "arnaqueurs", "escroquerie", "escrocs", "voleurs", "menteurs", "vol"}},
}

var builtinLures = []lure{
	{"messaging-lure", Scam, 0.75, "", []string{
		"whatsapp", "whats app", "telegram", "signal me", "wickr", "kik me", "snap me", "add me on",
		"contact me on", "contact me via", "text me on", "dm me on", "contactez moi", "contacte moi", "ecrivez moi",
		"ecris moi", "ajoute moi", "joignable sur", "inbox me", "message me on",
	}},
	{"crypto-lure", Scam, 0.8, "", []string{
		"bitcoin*", "btc", "crypto*", "ethereum", "usdt", "forex", "!binary options", "!options binaires", "trading account",
		"account manager", "invest", "investing", "investment*", "investir", "investissez", "investissement*", "profit", "profits",
		"!recovery expert", "recover your", "!recuperer vos fonds", "wallet", "airdrop", "mining", "minage", "!invest with me", "!investissez avec moi",
	}},
	{"money-lure", Scam, 0.8, "", []string{
		"gagnez", "gagner _ par jour", "gagner _ par semaine", "par jour", "par semaine", "euros par jour",
		"per day", "per week", "a day from home", "earn", "earning", "make money", "make $", "!passive income",
		"!revenu passif", "!argent facile", "!easy money", "!work from home", "travail a domicile", "sans diplome",
		"financial freedom", "liberte financiere", "!get rich", "!double your", "!doublez votre", "guaranteed",
		"garanti", "cash", "!sugar daddy", "!sugar mummy", "loan", "pret rapide", "credit rapide",
	}},
	{"prize-lure", Scam, 0.75, "", []string{
		"you won", "!you have won", "!you've won", "winner", "congratulations you", "!claim your", "!claim now",
		"!free iphone", "free gift", "gift card", "carte cadeau", "!vous avez gagne", "!tu as gagne", "felicitations vous",
		"gagnant", "tirage au sort", "lottery", "prize", "reward", "cadeau gratuit", "urgent", "txt", "text stop",
		"reply stop", "call now", "!verify your account", "!verifiez votre compte", "!account suspended", "!compte suspendu",
		"click here", "cliquez ici", "confirm your", "confirmez votre", "login to", "mot de passe", "password",
	}},
	{"follow-lure", Spam, 0.7, "", []string{
		"!sub for sub", "!sub4sub", "!s4s", "!follow for follow", "!follow4follow", "!f4f", "!like for like", "!l4l",
		"follow back", "followback", "abonne toi", "abonnez vous", "abonnez vous a ma", "!subscribe to my",
		"!subscribe my", "check out my", "check my", "visit my", "watch my", "my channel", "ma chaine", "mon profil",
		"my profile", "my page", "ma page", "!link in bio", "!lien en bio", "!lien dans ma bio", "in my bio", "dans ma bio",
		"!free followers", "!followers gratuits", "!buy followers", "!acheter des followers", "more followers", "promo code",
		"code promo", "discount code", "!dm for promo", "dm me for", "promote your", "shoutout for shoutout",
		"please like", "please subscribe", "like and subscribe",
	}},
	{"adult-lure", Sexual, 0.8, "", []string{
		"!onlyfans", "!only fans", "!hot singles", "single women", "celibataires", "see my pics", "see my photos",
		"mes photos", "nude*", "sexy pics", "18+", "dating site", "site de rencontre", "plan cul", "webcam",
	}},
}
